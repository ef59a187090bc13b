//! Notifications on macOS: not built yet. notify-rust's macOS backend
//! (`mac-notification-sys`) compiles an Objective-C shim that needs Cocoa's headers, which
//! are not available where hunch is built and checked, so it is left out rather than
//! shipped untested; the alert is logged instead. The way to add it is
//! `UNUserNotificationCenter` through the `objc2` bindings, which need no headers.

pub fn show_alert(
    title: &str,
    body: &str,
    _buttons: &[(&str, String)],
    _insistent: bool,
    _answered: impl FnOnce(&str) + Send + 'static,
) -> Result<(), String> {
    tracing::warn!("{title}: {body}");
    Err("notifications are not built for macOS yet".into())
}

pub fn show_notice(title: &str, body: &str) -> bool {
    tracing::warn!("{title}: {body}");
    false
}
