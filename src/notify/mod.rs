//! Telling the user: a desktop notification naming the problem and one specific stretch,
//! with actions ([`crate::platform::notify`]: over D-Bus on Linux, toasts on Windows);
//! when no notification server answers, the caller logs once and keeps monitoring.

pub mod stretches;

use std::io::Write;
use std::sync::mpsc::Sender;

use thiserror::Error;

use crate::control::command::{Command, Incoming, Origin, PauseFor};
use crate::policy::{Alert, AlertLevel};
pub use stretches::{Prompt, PromptKind, Stretch};

#[derive(Debug, Error)]
pub enum NotifyError {
    #[error("no notification server answered: {0}")]
    Unavailable(String),
}

/// The text of an alert: (title, body).
fn compose(alert: &Alert, stretch: &Stretch) -> (String, String) {
    let minutes = (alert.hunched_for / 60.0).round().max(1.0) as u64;
    let title = format!("Head forward for {minutes} min");
    // Self-massage says so, so nobody mistakes it for a stretch.
    let label = match stretch.kind {
        PromptKind::Stretch => "",
        PromptKind::SelfMassage => " (self-massage)",
    };
    let mut body = format!(
        "Try {}{}{label}: {} ({}).",
        stretch.article,
        stretch.name.to_lowercase(),
        stretch.steps,
        stretch.dose
    );
    if let Some(c) = stretch.caution {
        body.push(' ');
        body.push_str(c);
    }
    (title, body)
}

pub trait Notifier: Send {
    /// Shows the alert. What the user answers arrives later, as a [`Command`], on the
    /// channel the notifier was made with.
    fn notify(&mut self, alert: &Alert, stretch: &Stretch) -> Result<(), NotifyError>;

    /// A one-off notice about hunch itself (the camera or the journal in trouble), best
    /// effort: the log has it whatever happens.
    fn notice(&mut self, title: &str, body: &str);
}

/// Desktop notifications through the session bus.
pub struct DesktopNotifier {
    commands: Sender<Incoming>,
    snooze_seconds: f64,
}

const ACTION_DONE: &str = "done";
const ACTION_SNOOZE: &str = "snooze";
pub const ACTION_PAUSE: &str = "pause";

impl DesktopNotifier {
    /// Answers go to `commands`; the snooze button offers `snooze_seconds` (the configured
    /// snooze).
    pub fn new(commands: Sender<Incoming>, snooze_seconds: f64) -> Self {
        Self {
            commands,
            snooze_seconds,
        }
    }
}

/// What a notification button means, as a command to the monitor.
pub fn command_for_action(action: &str, stretch_id: &str) -> Command {
    match action {
        ACTION_DONE => Command::Done {
            stretch: stretch_id.to_string(),
        },
        ACTION_SNOOZE => Command::Snooze { seconds: None },
        ACTION_PAUSE => Command::Pause {
            length: PauseFor::Today,
        },
        _ => Command::Dismissed,
    }
}

impl Notifier for DesktopNotifier {
    fn notify(&mut self, alert: &Alert, stretch: &Stretch) -> Result<(), NotifyError> {
        let (title, body) = compose(alert, stretch);
        let buttons = [
            (ACTION_DONE, "Done".to_string()),
            (
                ACTION_SNOOZE,
                format!(
                    "Snooze {}",
                    crate::support::human::short_duration(self.snooze_seconds)
                ),
            ),
            (ACTION_PAUSE, "Pause for today".to_string()),
        ];
        let tx = self.commands.clone();
        let stretch_id = stretch.id.to_string();
        // Insistent: stays until the user answers it.
        let insistent = alert.level == AlertLevel::Insistent;
        crate::platform::notify::show_alert(&title, &body, &buttons, insistent, move |action| {
            let _ = tx.send(Incoming {
                command: command_for_action(action, &stretch_id),
                origin: Origin::Notification,
                reply: None,
            });
        })
        .map_err(NotifyError::Unavailable)
    }

    fn notice(&mut self, title: &str, body: &str) {
        show_notice(title, body);
    }
}

/// A one-off notice on the desktop, best effort: errors are ignored, the log has it.
pub fn notice(title: &str, body: &str) {
    show_notice(title, body);
}

/// Shows a notice; whether a notification server took it.
fn show_notice(title: &str, body: &str) -> bool {
    crate::platform::notify::show_notice(title, body)
}

/// Prints alerts to stdout: for the demo where no notification server runs.
#[derive(Debug, Default)]
pub struct PrintNotifier {
    pub shown: Vec<(String, String)>,
}

impl Notifier for PrintNotifier {
    fn notify(&mut self, alert: &Alert, stretch: &Stretch) -> Result<(), NotifyError> {
        let (title, body) = compose(alert, stretch);
        // Best effort: a closed stdout must not stop the monitor.
        let _ = writeln!(std::io::stdout(), "┌ notification: {title}\n└ {body}");
        self.shown.push((title, body));
        Ok(())
    }

    fn notice(&mut self, title: &str, body: &str) {
        let _ = writeln!(std::io::stdout(), "┌ notice: {title}\n└ {body}");
    }
}

/// Desktop notifications when a server answers, printed ones otherwise (the demo on a
/// machine without a desktop).
pub struct DesktopOrPrint {
    desktop: DesktopNotifier,
    pub print: PrintNotifier,
    pub desktop_shown: usize,
}

impl DesktopOrPrint {
    pub fn new(commands: Sender<Incoming>, snooze_seconds: f64) -> Self {
        Self {
            desktop: DesktopNotifier::new(commands, snooze_seconds),
            print: PrintNotifier::default(),
            desktop_shown: 0,
        }
    }
}

impl Notifier for DesktopOrPrint {
    fn notify(&mut self, alert: &Alert, stretch: &Stretch) -> Result<(), NotifyError> {
        match self.desktop.notify(alert, stretch) {
            Ok(()) => {
                self.desktop_shown += 1;
                let (title, _) = compose(alert, stretch);
                let _ = writeln!(std::io::stdout(), "desktop notification sent: {title}");
                Ok(())
            }
            Err(_) => self.print.notify(alert, stretch),
        }
    }

    fn notice(&mut self, title: &str, body: &str) {
        if !show_notice(title, body) {
            self.print.notice(title, body);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_names_the_problem_and_one_stretch() {
        let alert = Alert {
            hunched_for: 362.0,
            level: AlertLevel::Gentle,
            number_in_episode: 1,
        };
        let (title, body) = compose(&alert, &stretches::CATALOGUE[0]);
        assert_eq!(title, "Head forward for 6 min");
        assert!(body.starts_with("Try chin tucks:"), "{body}");
        assert!(body.contains("hold 5 s, 10 times"));
        let (_, body) = compose(&alert, stretches::by_id("upper_trapezius").unwrap());
        assert!(
            body.starts_with("Try an upper-trapezius stretch: "),
            "{body}"
        );
        let (_, body) = compose(&alert, stretches::by_id("trapezius_knead").unwrap());
        assert!(
            body.starts_with("Try shoulder-top kneading (self-massage): "),
            "{body}"
        );
        // Every article fits its name: "an" before a vowel, "a" before a consonant,
        // none for plurals and activities.
        for s in stretches::CATALOGUE {
            let first = s.name.chars().next().unwrap().to_ascii_lowercase();
            // The head of the name: "Suboccipital release" of "… on two balls".
            let head = s.name.split(" on ").next().unwrap();
            let bare = head.ends_with('s') || head.ends_with("ing");
            let want = match (bare, "aeiou".contains(first)) {
                (true, _) => "",
                (false, true) => "an ",
                (false, false) => "a ",
            };
            assert_eq!(s.article, want, "{}", s.name);
        }
        let (_, body) = compose(&alert, stretches::by_id("sternocleidomastoid").unwrap());
        assert!(body.contains("dizzy"));
        assert!(!body.contains("self-massage"), "{body}");
        let (_, body) = compose(&alert, stretches::by_id("suboccipital_balls").unwrap());
        assert!(
            body.starts_with("Try a suboccipital release on two balls (self-massage): Knot two"),
            "{body}"
        );
        assert!(
            body.contains("breathe slowly. (1–2 min). On the soft muscle"),
            "{body}"
        );
        assert!(body.ends_with("or the headache worsens."), "{body}");
    }

    #[test]
    fn buttons_map_to_the_monitor_s_commands() {
        assert_eq!(
            command_for_action(ACTION_DONE, "chin_tuck"),
            Command::Done {
                stretch: "chin_tuck".into()
            }
        );
        assert_eq!(
            command_for_action(ACTION_SNOOZE, "x"),
            Command::Snooze { seconds: None }
        );
        assert_eq!(
            command_for_action(ACTION_PAUSE, "x"),
            Command::Pause {
                length: PauseFor::Today
            }
        );
        assert_eq!(command_for_action("__closed", "x"), Command::Dismissed);
    }
}
