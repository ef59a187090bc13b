//! What differs between operating systems, in one place: each concern is one module here,
//! with one implementation per operating system (the file is chosen by `#[path]`), and
//! the stages above (camera → pose → posture → policy → daemon) call them without a `cfg`
//! of their own. Linux has everything; Windows and macOS have what the README's platform
//! table says, and a stand-in (`none/`) where hunch cannot do the thing there yet.

/// Files: explicit modes, new files that never replace anything, renames that never
/// overwrite.
#[cfg_attr(unix, path = "unix/fs.rs")]
#[cfg_attr(windows, path = "windows/fs.rs")]
pub mod fs;

/// Who this process runs as.
#[cfg_attr(unix, path = "unix/user.rs")]
#[cfg_attr(windows, path = "windows/user.rs")]
pub mod user;

/// The system's own places for settings, data and runtime files.
#[cfg_attr(target_os = "linux", path = "linux/dirs.rs")]
#[cfg_attr(target_os = "macos", path = "macos/dirs.rs")]
#[cfg_attr(windows, path = "windows/dirs.rs")]
pub mod dirs;

/// The camera backend, device names, and what "busy" looks like.
#[cfg_attr(target_os = "linux", path = "linux/camera.rs")]
#[cfg_attr(target_os = "macos", path = "macos/camera.rs")]
#[cfg_attr(windows, path = "windows/camera.rs")]
pub mod camera;

/// Who else has the camera open (another application on a call).
#[cfg_attr(target_os = "linux", path = "linux/camera_users.rs")]
#[cfg_attr(windows, path = "windows/camera_users.rs")]
#[cfg_attr(target_os = "macos", path = "macos/camera_users.rs")]
pub mod camera_users;

/// Requests to stop (signals, console events).
#[cfg_attr(unix, path = "unix/signals.rs")]
#[cfg_attr(windows, path = "windows/signals.rs")]
pub mod signals;

/// The terminal for a live view: raw keys, size, ANSI.
#[cfg_attr(unix, path = "unix/terminal.rs")]
#[cfg_attr(windows, path = "windows/terminal.rs")]
pub mod terminal;

/// Giving memory back after a model load; naming an open file.
#[cfg_attr(target_os = "linux", path = "linux/memory.rs")]
#[cfg_attr(not(target_os = "linux"), path = "none/memory.rs")]
pub mod memory;

/// The screen lock and sleep, heard from the session.
#[cfg_attr(target_os = "linux", path = "linux/session.rs")]
#[cfg_attr(windows, path = "windows/session.rs")]
#[cfg_attr(target_os = "macos", path = "macos/session.rs")]
pub mod session;

/// The tray icon and its menu.
#[cfg_attr(target_os = "linux", path = "linux/tray.rs")]
#[cfg_attr(windows, path = "windows/tray.rs")]
#[cfg_attr(target_os = "macos", path = "none/tray.rs")]
pub mod tray;

/// The desktop: a file opened with its handler, a terminal for `hunch calibrate`.
#[cfg_attr(target_os = "linux", path = "linux/desktop.rs")]
#[cfg_attr(target_os = "macos", path = "macos/desktop.rs")]
#[cfg_attr(windows, path = "windows/desktop.rs")]
pub mod desktop;

/// Desktop notifications: an alert with buttons, a one-off notice.
#[cfg_attr(target_os = "linux", path = "linux/notify.rs")]
#[cfg_attr(target_os = "macos", path = "macos/notify.rs")]
#[cfg_attr(windows, path = "windows/notify.rs")]
pub mod notify;

/// The control channel between `hunch` commands and the running monitor.
#[cfg_attr(unix, path = "unix/ipc.rs")]
#[cfg_attr(windows, path = "windows/ipc.rs")]
pub mod ipc;

/// Handing the process over to another program.
#[cfg_attr(unix, path = "unix/process.rs")]
#[cfg_attr(windows, path = "windows/process.rs")]
pub mod process;

/// Starting at login, where the system keeps it in the registry (Windows' `Run` key).
#[cfg(windows)]
#[path = "windows/login.rs"]
pub mod login;
