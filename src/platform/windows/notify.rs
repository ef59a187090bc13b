//! Notifications on Windows: toasts, through notify-rust's WinRT backend. Its toasts have
//! no buttons, so an alert's answers (done, snooze, pause) are given with `hunch snooze`,
//! `hunch pause` instead. Not shown under Wine (no notification center there; see the
//! README's platform table).

use notify_rust::{Notification, Timeout};

pub fn show_alert(
    title: &str,
    body: &str,
    _buttons: &[(&str, String)],
    insistent: bool,
    _answered: impl FnOnce(&str) + Send + 'static,
) -> Result<(), String> {
    Notification::new()
        .appname("hunch")
        .summary(title)
        .body(body)
        .timeout(if insistent {
            Timeout::Never
        } else {
            Timeout::Milliseconds(20_000)
        })
        .show()
        .map(|_| ())
        .map_err(|e| e.to_string())
}

pub fn show_notice(title: &str, body: &str) -> bool {
    Notification::new()
        .appname("hunch")
        .summary(title)
        .body(body)
        .show()
        .is_ok()
}
