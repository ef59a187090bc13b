//! Notifications on Windows: toasts through WinRT (`tauri-winrt-notification`, the crate
//! notify-rust itself uses there), with the alert's buttons. A pressed button comes back
//! through the toast's `Activated` event, which Windows raises in this process while it
//! runs; a toast closed or timed out comes back through `Dismissed`. Either answers once.
//! Not shown under Wine (no notification center there; see the README's platform table).

use std::sync::{Arc, Mutex};

use tauri_winrt_notification::{Duration, Toast};

/// The answer hunch gives when the toast went away without a button.
const CLOSED: &str = "__closed";

/// hunch has no AppUserModelID of its own unless an installer registers one with a Start
/// menu shortcut; PowerShell's is the documented stand-in for an unpackaged program (the
/// toast then names PowerShell as its sender).
const APP_ID: &str = Toast::POWERSHELL_APP_ID;

/// An answer that can be given only once, from whichever of the toast's events comes first.
struct Once<F>(Mutex<Option<F>>);

impl<F: FnOnce(&str)> Once<F> {
    fn new(f: F) -> Arc<Once<F>> {
        Arc::new(Once(Mutex::new(Some(f))))
    }

    fn give(&self, answer: &str) {
        let f = match self.0.lock() {
            Ok(mut slot) => slot.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        if let Some(f) = f {
            f(answer);
        }
    }
}

/// An alert with buttons `(id, label)`; `insistent` stays until answered (the "reminder"
/// scenario). The button pressed, or `__closed`, is handed to `answered`, on the thread
/// WinRT raises the event on.
pub fn show_alert(
    title: &str,
    body: &str,
    buttons: &[(&str, String)],
    insistent: bool,
    answered: impl FnOnce(&str) + Send + 'static,
) -> Result<(), String> {
    let once = Once::new(answered);
    let on_button = Arc::clone(&once);
    let mut toast = Toast::new(APP_ID)
        .title(title)
        .text1(body)
        .duration(if insistent {
            Duration::Long
        } else {
            Duration::Short
        });
    if insistent {
        toast = toast.scenario(tauri_winrt_notification::Scenario::Reminder);
    }
    for (id, label) in buttons {
        toast = toast.add_button(label, id);
    }
    toast
        .on_activated(move |action| {
            // A click on the toast's body (no button) is no answer: it leaves the alert
            // to the user as a close would.
            on_button.give(action.as_deref().unwrap_or(CLOSED));
            Ok(())
        })
        .on_dismissed(move |_reason| {
            once.give(CLOSED);
            Ok(())
        })
        .show()
        .map_err(|e| e.to_string())
}

/// A one-off notice; whether Windows took it.
pub fn show_notice(title: &str, body: &str) -> bool {
    Toast::new(APP_ID)
        .title(title)
        .text1(body)
        .duration(Duration::Short)
        .show()
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn an_alert_is_answered_once_whichever_event_comes_first() {
        let (tx, rx) = mpsc::channel();
        let once = Once::new(move |a: &str| tx.send(a.to_string()).unwrap());
        let other = Arc::clone(&once);
        once.give("snooze");
        other.give(CLOSED);
        once.give("done");
        assert_eq!(
            rx.try_iter().collect::<Vec<_>>(),
            vec!["snooze".to_string()]
        );
    }
}
