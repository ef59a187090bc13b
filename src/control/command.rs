//! What a person can ask of the running monitor, from wherever they ask it: `hunch
//! pause|resume|snooze|status` over the control socket, a notification's buttons, the tray.
//! Every way in maps to one [`Command`], and each command has one meaning, carried out in
//! one place ([`crate::daemon::Daemon::command`]).

use std::sync::mpsc::Sender;

use serde::{Deserialize, Serialize};

use crate::vocab::MonitorState;

/// How long a pause lasts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PauseFor {
    /// This many seconds.
    Seconds(f64),
    /// Until local midnight.
    Today,
    /// Until `hunch resume`.
    UntilResumed,
}

/// A request to the monitor. On the control socket, one JSON object per line, e.g.
/// `{"command":"pause","for":{"seconds":1800}}` or `{"command":"snooze"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    /// What the monitor sees now.
    Status,
    /// Stop measuring (the camera closes) for a while.
    Pause {
        #[serde(rename = "for")]
        length: PauseFor,
    },
    /// End a pause and a snooze.
    Resume,
    /// Keep measuring but hold alerts for `seconds` (default: the configured snooze).
    Snooze {
        #[serde(default)]
        seconds: Option<f64>,
    },
    /// The suggested stretch was done.
    Done { stretch: String },
    /// A notification was closed without an answer.
    Dismissed,
    /// The state and the latest frame without today's figures: no journal read, cheap
    /// enough for `hunch watch` to ask a few times a second.
    Live,
    /// The latest frame, downscaled, with its landmarks, for `hunch window` — if it is
    /// newer than `after_ms` (Unix ms of the frame the window has). Asking also tells the
    /// monitor a window is open: it keeps its latest picture (in memory) only for a few
    /// seconds after each ask.
    Sight {
        #[serde(default)]
        after_ms: Option<i64>,
    },
    /// Log a headache now, of this intensity (0–10), in the diary (as `hunch headache
    /// --intensity N` does).
    Headache { intensity: u8 },
    /// Measure against the calibration profile on disk from now on (after `hunch
    /// calibrate` wrote a new one).
    ReloadCalibration,
    /// Stop the monitor (as SIGTERM does: the journal is flushed and the stop recorded).
    Quit,
}

/// Where a command came from (for the log only: the meaning is the same).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Socket,
    Notification,
    Tray,
    Local,
}

/// A command on its way to the monitor, with where its reply goes.
#[derive(Debug)]
pub struct Incoming {
    pub command: Command,
    pub origin: Origin,
    pub reply: Option<Sender<Reply>>,
}

/// What `hunch status` shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Status {
    /// What the monitor sees now: the same as a live view's (`{"command":"live"}`).
    #[serde(flatten)]
    pub now: LiveStatus,
    pub samples: u64,
    pub alerts: u32,
    pub stretches_done: u32,
    pub uptime_seconds: f64,
    /// Today so far, summed from the journal like `hunch report`.
    pub today_monitored_s: f64,
    pub today_hunched_s: f64,
    pub today_hunched_share: Option<f64>,
    /// Today, how long hunch had the camera open (its light on).
    pub today_camera_open_s: f64,
    /// Today, how long another application had the camera.
    pub today_camera_in_use_s: f64,
}

/// The latest frame and what the policy makes of it (`hunch watch`, the tray).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Live {
    /// Hunching starts when the smoothed angle reaches this, and ends below `exit_deg`.
    pub enter_deg: f32,
    pub exit_deg: f32,
    /// This frame's own forward angle (before smoothing), when it could be measured.
    pub frame_deg: Option<f32>,
    /// Why the latest frame was not measured, in words a person can act on.
    pub not_measured: Option<String>,
    /// How long the hunch episode in progress has lasted, seconds.
    pub hunching_for_s: Option<f64>,
    /// Seconds until an alert, if the hunch goes on.
    pub alert_in_s: Option<f64>,
    /// Unix ms of the latest frame.
    pub frame_wall_ms: Option<i64>,
}

/// The answer to [`Command::Live`]: [`Status`] without today's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveStatus {
    pub state: MonitorState,
    /// The smoothed forward angle (the one the thresholds apply to).
    pub forward_deg: Option<f32>,
    pub paused: bool,
    pub paused_until_ms: Option<i64>,
    pub snoozed_until_ms: Option<i64>,
    pub source: String,
    pub source_trouble: Option<String>,
    pub live: Live,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reply", rename_all = "snake_case")]
pub enum Reply {
    Status(Box<Status>),
    Live(Box<LiveStatus>),
    Sight(Box<crate::control::sight::Sight>),
    Ok { message: String },
    Error { message: String },
}

impl Command {
    /// Checks the numbers a person typed: durations must be positive and finite, and at
    /// most a week.
    pub fn validate(&self) -> Result<(), String> {
        let check = |what: &str, s: f64| {
            if s.is_finite() && s > 0.0 && s <= 7.0 * 86_400.0 {
                Ok(())
            } else {
                Err(format!(
                    "a {what} must last more than 0 s and at most 7 days (got {s} s)"
                ))
            }
        };
        match self {
            Command::Pause {
                length: PauseFor::Seconds(s),
            } => check("pause", *s),
            Command::Snooze { seconds: Some(s) } => check("snooze", *s),
            Command::Headache { intensity } if *intensity > 10 => Err(format!(
                "a headache's intensity is 0 to 10 (got {intensity})"
            )),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_reply_is_one_flat_object_and_reads_back() {
        let status = Status {
            now: LiveStatus {
                state: MonitorState::Hunching,
                forward_deg: Some(7.5),
                paused: false,
                paused_until_ms: None,
                snoozed_until_ms: Some(5),
                source: "camera:0".into(),
                source_trouble: None,
                live: Live::default(),
            },
            samples: 3,
            alerts: 1,
            stretches_done: 0,
            uptime_seconds: 9.0,
            today_monitored_s: 60.0,
            today_hunched_s: 30.0,
            today_hunched_share: Some(0.5),
            today_camera_open_s: 4.0,
            today_camera_in_use_s: 0.0,
        };
        let reply = Reply::Status(Box::new(status));
        let text = serde_json::to_string(&reply).unwrap();
        // The fields of what the monitor sees now sit beside today's, as scripts read them.
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["reply"], "status");
        assert_eq!(v["state"], "hunching");
        assert_eq!(v["today_hunched_share"], 0.5);
        assert!(v.get("now").is_none(), "{text}");
        assert_eq!(serde_json::from_str::<Reply>(&text).unwrap(), reply);
    }

    #[test]
    fn commands_on_the_wire() {
        let c: Command =
            serde_json::from_str(r#"{"command":"pause","for":{"seconds":60}}"#).unwrap();
        assert_eq!(
            c,
            Command::Pause {
                length: PauseFor::Seconds(60.0)
            }
        );
        let c: Command = serde_json::from_str(r#"{"command":"pause","for":"today"}"#).unwrap();
        assert_eq!(
            c,
            Command::Pause {
                length: PauseFor::Today
            }
        );
        let c: Command = serde_json::from_str(r#"{"command":"snooze"}"#).unwrap();
        assert_eq!(c, Command::Snooze { seconds: None });
        assert!(serde_json::from_str::<Command>(r#"{"command":"explode"}"#).is_err());
        assert!(Command::Pause {
            length: PauseFor::Seconds(-5.0)
        }
        .validate()
        .is_err());
        assert!(Command::Snooze {
            seconds: Some(f64::NAN)
        }
        .validate()
        .is_err());
        assert!(Command::Snooze { seconds: None }.validate().is_ok());
    }
}
