//! The desktop on Windows: a file opened with its registered handler (`start`, as
//! Explorer would), and a console window running `hunch calibrate` for the tray's
//! "Recalibrate…".

use std::path::Path;
use std::process::{Command, Stdio};

/// Opens `path` with the handler Windows has for its kind (the browser for a report).
pub fn open_file(path: &Path) -> Result<(), String> {
    // `start`'s first quoted argument is a window title: an empty one, so a path with
    // spaces is not taken for it.
    let status = Command::new("cmd")
        .args(["/C", "start", ""])
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("could not open {}: {e}", path.display()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("could not open {}: {status}", path.display()))
    }
}

/// Opens a console window running `hunch calibrate` (which pauses the monitor while it
/// uses the camera, then has it reload the profile and resume), kept open afterwards
/// (`cmd /K`) so its verdict can be read.
pub fn recalibrate(exe: &Path) -> Result<(), String> {
    Command::new("cmd")
        .args(["/C", "start", "hunch calibrate", "cmd", "/K"])
        .arg(exe)
        .arg("calibrate")
        .stdin(Stdio::null())
        .status()
        .map(|_| ())
        .map_err(|e| format!("no console to recalibrate in ({e}): run `hunch calibrate` in one"))
}
