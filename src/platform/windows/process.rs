//! Handing the process over to another program, on Windows: there is no exec, so the
//! program runs as a child and this process ends with its exit code.

use std::process::Command;

/// Runs `cmd` and ends this process with its exit code; returns only if it could not be
/// started.
pub fn replace_with(cmd: &mut Command) -> std::io::Error {
    match cmd.status() {
        Ok(status) => std::process::exit(status.code().unwrap_or(1)),
        Err(e) => e,
    }
}
