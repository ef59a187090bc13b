//! Handing the process over to another program, on Unix: exec(2), the same pid.

use std::process::Command;

/// Runs `cmd` in place of this process; returns only if it could not be started.
pub fn replace_with(cmd: &mut Command) -> std::io::Error {
    use std::os::unix::process::CommandExt;
    cmd.exec()
}
