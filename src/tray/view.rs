//! What the tray shows, drawn from one [`Status`]: the icon's face, the tooltip, and the
//! menu's actions as the commands they send. Pure: tested without a tray host.

use crate::control::command::{Command, PauseFor, Status};
use crate::support::human::{clock_time, duration, percent, short_duration};
use crate::vocab::MonitorState;

use super::Face;

/// What a menu item asks for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Action {
    /// Open hunch's window (`hunch window`).
    Open,
    Pause(PauseFor),
    Resume,
    Recalibrate,
    Report,
    Headache(u8),
    Quit,
}

/// The intensities offered under "Log a headache" (the diary's 0–10 scale).
pub const HEADACHE_INTENSITIES: [(u8, &str); 3] = [
    (3, "Mild (3/10)"),
    (5, "Moderate (5/10)"),
    (8, "Severe (8/10)"),
];

impl Action {
    /// The command this item sends to the monitor; `None` for those that are not monitor
    /// commands (the window, the report, recalibration).
    pub fn command(self) -> Option<Command> {
        match self {
            Action::Pause(length) => Some(Command::Pause { length }),
            Action::Resume => Some(Command::Resume),
            Action::Headache(intensity) => Some(Command::Headache { intensity }),
            Action::Quit => Some(Command::Quit),
            Action::Open | Action::Recalibrate | Action::Report => None,
        }
    }
}

/// The icon for a status (or for none yet).
pub fn face(status: Option<&Status>) -> Face {
    let Some(s) = status else {
        return Face::Unmeasured;
    };
    match s.now.state {
        MonitorState::Upright => Face::Upright,
        MonitorState::Hunching => Face::Hunching,
        MonitorState::Hunched => Face::Hunched,
        MonitorState::Paused | MonitorState::Locked => Face::Paused,
        MonitorState::Away => Face::Away,
        MonitorState::CameraInUse => Face::CameraInUse,
        MonitorState::Unmeasured => Face::Unmeasured,
    }
}

/// The tooltip: a title saying what hunch sees now, and today's figures.
pub fn tooltip(status: Option<&Status>) -> (String, String) {
    let Some(s) = status else {
        return ("hunch is starting".into(), String::new());
    };
    let mut title = format!("hunch: {}", crate::support::human::state(s.now.state));
    match (
        s.now.state,
        s.now.paused_until_ms,
        s.now.live.hunching_for_s,
    ) {
        (MonitorState::Paused, Some(ms), _) => title += &format!(" until {}", clock_time(ms)),
        (MonitorState::Paused, None, _) if s.now.paused => title += " until resumed",
        (MonitorState::Hunching | MonitorState::Hunched, _, Some(t)) => {
            title += &format!(" for {}", short_duration(t.round()))
        }
        _ => {}
    }
    let mut lines = vec![if s.today_monitored_s > 0.0 {
        format!(
            "Today {} hunched ({} of {} at the desk)",
            percent(s.today_hunched_share),
            duration(s.today_hunched_s),
            duration(s.today_monitored_s)
        )
    } else {
        "Today: nothing measured yet".to_string()
    }];
    if let Some(ms) = s.now.snoozed_until_ms {
        lines.push(format!("Alerts snoozed until {}", clock_time(ms)));
    }
    if let Some(why) = &s.now.source_trouble {
        lines.push(format!("Camera: {why}"));
    }
    (title, lines.join("\n"))
}

/// One line of the tray's menu, as every system's tray draws it.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    /// Words that are not a choice (greyed): what hunch sees now, today's figures.
    Note(String),
    Separator,
    Item {
        label: &'static str,
        action: Action,
        enabled: bool,
    },
    Submenu {
        label: &'static str,
        entries: Vec<Entry>,
    },
}

/// The menu for a status (or for none yet): the tooltip's words, then the choices.
/// "Resume" is offered only while something is held (a pause or a snooze).
pub fn menu(status: Option<&Status>) -> Vec<Entry> {
    let (title, description) = tooltip(status);
    let held = status.is_some_and(|s| s.now.paused || s.now.snoozed_until_ms.is_some());
    let item = |label, action| Entry::Item {
        label,
        action,
        enabled: true,
    };
    let mut entries = vec![Entry::Note(title)];
    entries.extend(description.lines().map(|l| Entry::Note(l.to_string())));
    entries.extend([
        Entry::Separator,
        item("Open hunch…", Action::Open),
        Entry::Separator,
        item("Pause for 30 min", Action::Pause(PauseFor::Seconds(1800.0))),
        item("Pause for 1 h", Action::Pause(PauseFor::Seconds(3600.0))),
        item("Pause for today", Action::Pause(PauseFor::Today)),
        Entry::Item {
            label: "Resume",
            action: Action::Resume,
            enabled: held,
        },
        Entry::Separator,
        item("Recalibrate…", Action::Recalibrate),
        item("Today's report", Action::Report),
        Entry::Submenu {
            label: "Log a headache",
            entries: HEADACHE_INTENSITIES
                .iter()
                .map(|(i, label)| item(label, Action::Headache(*i)))
                .collect(),
        },
        Entry::Separator,
        item("Quit hunch", Action::Quit),
    ]);
    entries
}

/// A status in `state` with nothing measured yet, for tests of what the tray draws.
#[cfg(test)]
pub(crate) fn status_for_tests(state: MonitorState) -> Status {
    Status {
        now: crate::control::command::LiveStatus {
            state,
            forward_deg: None,
            paused_until_ms: None,
            paused: false,
            snoozed_until_ms: None,
            source: "camera".into(),
            source_trouble: None,
            live: Default::default(),
        },
        samples: 0,
        alerts: 0,
        stretches_done: 0,
        uptime_seconds: 0.0,
        today_monitored_s: 0.0,
        today_hunched_s: 0.0,
        today_hunched_share: None,
        today_camera_open_s: 0.0,
        today_camera_in_use_s: 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(state: MonitorState) -> Status {
        status_for_tests(state)
    }

    #[test]
    fn menu_actions_are_the_monitor_commands() {
        assert_eq!(
            Action::Pause(PauseFor::Seconds(1800.0)).command(),
            Some(Command::Pause {
                length: PauseFor::Seconds(1800.0)
            })
        );
        assert_eq!(Action::Resume.command(), Some(Command::Resume));
        assert_eq!(
            Action::Headache(5).command(),
            Some(Command::Headache { intensity: 5 })
        );
        assert_eq!(Action::Quit.command(), Some(Command::Quit));
        assert_eq!(Action::Report.command(), None);
        assert_eq!(Action::Recalibrate.command(), None);
        assert_eq!(Action::Open.command(), None);
        for (i, _) in HEADACHE_INTENSITIES {
            assert!(Action::Headache(i).command().unwrap().validate().is_ok());
        }
    }

    #[test]
    fn every_state_has_its_icon_and_words() {
        use MonitorState as M;
        let cases = [
            (M::Upright, Face::Upright, "hunch: upright"),
            (M::Hunching, Face::Hunching, "hunch: hunching"),
            (M::Hunched, Face::Hunched, "hunch: hunched"),
            (M::Paused, Face::Paused, "hunch: paused"),
            (M::Locked, Face::Paused, "hunch: screen locked"),
            (M::Away, Face::Away, "hunch: away"),
            (
                M::CameraInUse,
                Face::CameraInUse,
                "hunch: camera in use by another app",
            ),
            (M::Unmeasured, Face::Unmeasured, "hunch: not measurable"),
        ];
        for (state, want_face, want_title) in cases {
            let s = status(state);
            assert_eq!(face(Some(&s)), want_face, "{state:?}");
            let (title, today) = tooltip(Some(&s));
            assert_eq!(title, want_title);
            assert_eq!(today, "Today: nothing measured yet");
        }
        assert_eq!(face(None), Face::Unmeasured);
        assert_eq!(tooltip(None).0, "hunch is starting");

        let mut s = status(MonitorState::Hunched);
        s.now.live.hunching_for_s = Some(200.0);
        s.today_monitored_s = 3600.0;
        s.today_hunched_s = 900.0;
        s.today_hunched_share = Some(0.25);
        s.now.source_trouble = Some("the camera is busy".into());
        let (title, today) = tooltip(Some(&s));
        assert_eq!(title, "hunch: hunched for 3 min 20 s");
        assert_eq!(
            today,
            "Today 25% hunched (15 min 00 s of 1 h 00 min at the desk)\nCamera: the camera is busy"
        );
        let mut s = status(MonitorState::Paused);
        s.now.paused = true;
        assert_eq!(tooltip(Some(&s)).0, "hunch: paused until resumed");
    }

    #[test]
    fn the_menu_offers_resume_only_while_something_is_held() {
        let actions = |m: &[Entry]| -> Vec<(Action, bool)> {
            let mut out = Vec::new();
            for e in m {
                match e {
                    Entry::Item {
                        action, enabled, ..
                    } => out.push((*action, *enabled)),
                    Entry::Submenu { entries, .. } => {
                        out.extend(entries.iter().filter_map(|e| match e {
                            Entry::Item {
                                action, enabled, ..
                            } => Some((*action, *enabled)),
                            _ => None,
                        }))
                    }
                    _ => {}
                }
            }
            out
        };
        let running = menu(Some(&status(MonitorState::Upright)));
        assert_eq!(running[0], Entry::Note("hunch: upright".into()));
        assert_eq!(
            running[1],
            Entry::Note("Today: nothing measured yet".into())
        );
        let all = actions(&running);
        assert!(all.contains(&(Action::Resume, false)), "{all:?}");
        assert!(all.contains(&(Action::Quit, true)));
        assert!(all.contains(&(Action::Open, true)));
        assert!(all.contains(&(Action::Pause(PauseFor::Today), true)));
        // Every headache intensity is one item of the submenu.
        for (i, _) in HEADACHE_INTENSITIES {
            assert!(all.contains(&(Action::Headache(i), true)), "{i}");
        }
        let mut paused = status(MonitorState::Paused);
        paused.now.paused = true;
        assert!(actions(&menu(Some(&paused))).contains(&(Action::Resume, true)));
        let mut snoozed = status(MonitorState::Upright);
        snoozed.now.snoozed_until_ms = Some(0);
        assert!(actions(&menu(Some(&snoozed))).contains(&(Action::Resume, true)));
        assert_eq!(menu(None)[0], Entry::Note("hunch is starting".into()));
    }
}
