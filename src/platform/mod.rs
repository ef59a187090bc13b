//! What differs between operating systems, in one place: each concern is one module here,
//! with one implementation per operating system (the file is chosen by `#[path]`), and
//! the stages above (camera → pose → posture → policy → daemon) call them without a `cfg`
//! of their own.

/// Files: explicit modes, new files that never replace anything, renames that never
/// overwrite.
#[cfg_attr(unix, path = "unix/fs.rs")]
pub mod fs;

/// Who else has the camera open (another application on a call).
#[cfg_attr(target_os = "linux", path = "linux/camera_users.rs")]
pub mod camera_users;
