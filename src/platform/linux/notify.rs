//! Desktop notifications on Linux: the freedesktop notification server over the session
//! bus (notify-rust, through zbus), with buttons whose answers come back as actions.

use notify_rust::{Notification, Timeout, Urgency};

/// An alert with buttons `(id, label)`; `insistent` stays until answered. The button
/// pressed (or `__closed`) is handed to `answered`, on a short-lived thread of its own
/// (waiting for the answer blocks).
pub fn show_alert(
    title: &str,
    body: &str,
    buttons: &[(&str, String)],
    insistent: bool,
    answered: impl FnOnce(&str) + Send + 'static,
) -> Result<(), String> {
    let mut n = Notification::new();
    n.appname("hunch")
        .summary(title)
        .body(body)
        .icon("dialog-information");
    for (id, label) in buttons {
        n.action(id, label);
    }
    if insistent {
        n.urgency(Urgency::Critical).timeout(Timeout::Never);
    } else {
        n.urgency(Urgency::Normal)
            .timeout(Timeout::Milliseconds(20_000));
    }
    let handle = n.show().map_err(|e| e.to_string())?;
    let id = handle.id();
    std::thread::Builder::new()
        .name("hunch-notification".into())
        .spawn(move || {
            handle.wait_for_action(|action| {
                answered(action);
                // A button was pressed: the alert is answered, so it goes. Some servers
                // (dunst, when answered from its menu) leave it on screen until it
                // times out, which for an insistent alert is never.
                if action != "__closed" {
                    close(id);
                }
            })
        })
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// Asks the notification server to close notification `id` (best effort).
fn close(id: u32) {
    let closed = zbus::block_on(async {
        let bus = zbus::Connection::session().await?;
        bus.call_method(
            Some("org.freedesktop.Notifications"),
            "/org/freedesktop/Notifications",
            Some("org.freedesktop.Notifications"),
            "CloseNotification",
            &(id,),
        )
        .await
        .map(|_| ())
    });
    if let Err(e) = closed {
        tracing::debug!("could not close the answered notification: {e}");
    }
}

/// A one-off notice; whether a notification server took it.
pub fn show_notice(title: &str, body: &str) -> bool {
    Notification::new()
        .appname("hunch")
        .summary(title)
        .body(body)
        .urgency(Urgency::Normal)
        .timeout(Timeout::Milliseconds(10_000))
        .show()
        .is_ok()
}
