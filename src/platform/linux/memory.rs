//! Memory and open files on Linux.

use std::path::PathBuf;

/// Returns the heap's free memory to the system. glibc keeps freed memory in its arenas
/// for reuse, and a model load frees tens of MB at once (the parsed file, weight copies);
/// without this they would stay resident for the life of the process.
pub fn release_free_memory() {
    #[cfg(target_env = "gnu")]
    // SAFETY: malloc_trim has no preconditions; it only returns free pages of glibc's
    // own heaps to the kernel.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// A path that names `file` itself, whatever has since happened to the path it was opened
/// by (replaced, removed): `/proc/self/fd/N`.
pub fn open_file_path(file: &std::fs::File) -> Option<PathBuf> {
    use std::os::fd::AsRawFd;
    let p = PathBuf::from(format!("/proc/self/fd/{}", file.as_raw_fd()));
    p.exists().then_some(p)
}
