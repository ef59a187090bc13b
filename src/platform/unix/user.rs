//! Who this process runs as, on Unix.

/// This process's user id.
pub fn id() -> Option<u32> {
    // SAFETY: getuid has no preconditions and cannot fail.
    Some(unsafe { libc::getuid() })
}
