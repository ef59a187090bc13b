//! Notifications on macOS: AppleScript's `display notification` (through `osascript`),
//! which works from any process, inside an application bundle or not, but has no buttons:
//! an alert's answers (done, snooze, pause) are given with `hunch snooze`, `hunch pause`.
//!
//! Buttons need `UNUserNotificationCenter`, which refuses a process outside a bundle and
//! answers through a delegate on the main thread's run loop — where hunch runs its
//! monitor. notify-rust's macOS backend (`mac-notification-sys`) compiles an Objective-C
//! shim that needs Cocoa's headers, which are not available where hunch is built and
//! checked. Type-checked here, not run (no Apple SDK to link; see the README's platform
//! table).

use std::process::{Command, Stdio};

/// `s` as an AppleScript string literal.
fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn display(title: &str, body: &str) -> Result<(), String> {
    let script = format!(
        "display notification {} with title {}",
        quoted(body),
        quoted(title)
    );
    let status = Command::new("osascript")
        .args(["-e", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run osascript: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "osascript could not show the notification ({status})"
        ))
    }
}

/// An alert (without buttons, see above); it is never answered, as a close would not be.
pub fn show_alert(
    title: &str,
    body: &str,
    _buttons: &[(&str, String)],
    _insistent: bool,
    _answered: impl FnOnce(&str) + Send + 'static,
) -> Result<(), String> {
    display(title, body)
}

/// A one-off notice; whether macOS took it.
pub fn show_notice(title: &str, body: &str) -> bool {
    display(title, body).is_ok()
}
