//! The desktop on macOS: a file opened with `open` (Launch Services picks the handler),
//! and Terminal running `hunch calibrate` for a tray's "Recalibrate…". Type-checked
//! here, not run: no Mac is available to this project's CI.

use std::path::Path;
use std::process::{Command, Stdio};

/// Opens `path` with the handler macOS has for its kind.
pub fn open_file(path: &Path) -> Result<(), String> {
    let status = Command::new("open")
        .arg(path)
        .stdin(Stdio::null())
        .status()
        .map_err(|e| format!("could not open {}: {e}", path.display()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("could not open {}: {status}", path.display()))
    }
}

/// Opens Terminal running `hunch calibrate` (which pauses the monitor while it uses the
/// camera, then has it reload the profile and resume).
pub fn recalibrate(exe: &Path) -> Result<(), String> {
    // AppleScript's `quoted form of` quotes the path for the shell Terminal runs.
    let script = format!(
        "tell application \"Terminal\" to do script (quoted form of \"{}\") & \" calibrate\"",
        exe.display()
            .to_string()
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
    );
    Command::new("osascript")
        .args(["-e", &script])
        .stdin(Stdio::null())
        .status()
        .map(|_| ())
        .map_err(|e| format!("no Terminal to recalibrate in ({e}): run `hunch calibrate` in one"))
}
