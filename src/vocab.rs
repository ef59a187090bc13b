//! The ground floor: the words every other floor speaks. Monitor states, event kinds,
//! journal rows, frames, and the rules that are facts about those words (which states are
//! hunched, which count as monitored, what ends a hunch episode). The policy, the journal,
//! the daemon and the reports all import this module downwards; it imports nothing of
//! theirs.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A stored word this hunch does not know (a journal written by another version, or a
/// damaged one). Reading it is an error that names it, never a silent default.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown {what} `{value}`")]
pub struct UnknownWord {
    pub what: &'static str,
    pub value: String,
}

/// An enum with one spelling per variant: the journal, the wire, serde, config files and
/// the command line all use the same words, and parse them back strictly.
pub trait Word: Copy + Sized + 'static {
    const ALL: &'static [Self];
    fn as_str(self) -> &'static str;
}

/// Declares a [`Word`] enum.
macro_rules! words {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($(#[$vmeta:meta])* $variant:ident = $word:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word,)+
                }
            }
        }

        impl $crate::vocab::Word for $name {
            const ALL: &'static [$name] = &[$($name::$variant,)+];
            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::vocab::UnknownWord;
            fn from_str(s: &str) -> Result<Self, $crate::vocab::UnknownWord> {
                match s {
                    $($word => Ok($name::$variant),)+
                    _ => Err($crate::vocab::UnknownWord { what: $what, value: s.to_string() }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use words;

words! {
    /// What the monitor observed for one sample, as the journal records it and `hunch
    /// status` shows it.
    MonitorState, "monitor state" {
        /// Nobody at the desk for a while.
        Away = "away",
        /// Someone there, but this frame could not be measured (turned away, looking
        /// down, a shoulder out of view).
        Unmeasured = "unmeasured",
        Upright = "upright",
        /// Head forward, not yet for long enough to count as sustained.
        Hunching = "hunching",
        /// Head forward, sustained: the state that may alert.
        Hunched = "hunched",
        /// Paused by the user: the camera is closed, nothing is measured.
        Paused = "paused",
        /// The screen is locked: the camera is closed, nothing is measured.
        Locked = "locked",
        /// Another application has the camera (a video call): hunch let go of it and
        /// measures nothing until it is free.
        CameraInUse = "camera_in_use",
    }
}

impl MonitorState {
    /// Head forward of neutral (hunching or hunched): the time the reports call "hunched".
    pub fn is_hunched(self) -> bool {
        matches!(self, MonitorState::Hunching | MonitorState::Hunched)
    }

    /// Present at the desk and watched: the denominator of the hunched share.
    pub fn is_monitored(self) -> bool {
        matches!(
            self,
            MonitorState::Upright
                | MonitorState::Hunching
                | MonitorState::Hunched
                | MonitorState::Unmeasured
        )
    }

    /// Monitoring held (paused, locked, the camera in another app's hands): the camera is
    /// closed and nothing is measured.
    pub fn is_held(self) -> bool {
        matches!(
            self,
            MonitorState::Paused | MonitorState::Locked | MonitorState::CameraInUse
        )
    }

    /// Whether a sample in this state ends a hunch episode (see [`EPISODE_GAP_SECONDS`]).
    fn ends_episode(self) -> bool {
        matches!(self, MonitorState::Upright | MonitorState::Away) || self.is_held()
    }
}

words! {
    /// What happened, as the journal's `events` table records it.
    EventKind, "event kind" {
        /// The monitor started; detail: the source.
        Start = "start",
        /// The monitor stopped; detail: why.
        Stop = "stop",
        /// A notification was shown; detail: stretch id, episode age, level.
        Alert = "alert",
        /// The user did the stretch; detail: its id.
        Done = "done",
        /// Alerts held for a while; detail: how long.
        Snooze = "snooze",
        /// Monitoring paused; detail: for how long.
        Pause = "pause",
        /// Monitoring resumed after a pause or snooze.
        Resume = "resume",
        /// A notification closed without an answer.
        Dismissed = "dismissed",
        /// The screen was locked.
        Locked = "locked",
        /// The screen was unlocked.
        Unlocked = "unlocked",
        /// The camera could not be used; detail: the error.
        CameraError = "camera_error",
        /// The camera works again.
        CameraOk = "camera_ok",
        /// Frames are dark or blank (lens covered).
        BlankFrames = "blank_frames",
        /// No notification server answered; detail: the error.
        NotifyError = "notify_error",
        /// Another application opened the camera; detail: which (name and pid).
        CameraInUse = "camera_in_use",
        /// The other application closed the camera.
        CameraFree = "camera_free",
        /// The machine is going to sleep.
        Sleep = "sleep",
        /// The machine woke up.
        Wake = "wake",
        /// The journal could not be written (disk full, read-only); detail: the error.
        JournalError = "journal_error",
        /// Journal writes work again; detail: how many samples were kept in memory meanwhile.
        JournalOk = "journal_ok",
    }
}

/// One journal event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Unix time, ms.
    pub t_ms: i64,
    pub kind: EventKind,
    pub detail: String,
}

/// One journal sample: the state at `t_ms`, standing for the interval `(t_ms − dt_ms, t_ms]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SampleRow {
    pub t_ms: i64,
    pub dt_ms: i64,
    pub state: MonitorState,
    pub forward_deg: Option<f32>,
    /// How long the camera device was open (its light on) within the interval, ms.
    #[serde(default)]
    pub camera_open_ms: i64,
}

/// A sample stands for at most this long. The daemon caps each sample's interval (at a
/// few sampling intervals, never more than this) so that time the monitor was not running
/// or the machine slept is a gap, not monitored time; readers use it to find the samples
/// whose interval reaches into a period from just after it.
pub const MAX_SAMPLE_SECONDS: f64 = 120.0;

/// The longest time one hold's row stands for (a hold — paused, locked, another app on
/// the camera — is one row that grows while it lasts; a longer one continues in a new
/// row). Readers look this far past a period for rows reaching back into it.
pub const MAX_HOLD_ROW_MS: i64 = 6 * 3_600_000;

/// Hunch episodes: an episode is a maximal run of hunched time (hunching or hunched
/// samples). It ends at an upright, away or held sample ([`MonitorState::ends_episode`]),
/// or when the next hunched time starts this long or longer after the last hunched time
/// ended. Shorter interruptions — unmeasured frames (a glance down, the head turned), a
/// missing sample, a restart of the monitor — do not split it.
pub const EPISODE_GAP_SECONDS: f64 = 60.0;

/// Follows hunch episodes through time-ordered samples, by the rule of
/// [`EPISODE_GAP_SECONDS`]. The alert policy (on sample times) and the day summary (on
/// sample intervals) both use it, so they agree on what an episode is.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Episodes {
    current: Option<Episode>,
}

/// The episode in progress.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Episode {
    /// When its hunched time began, seconds.
    pub start: f64,
    /// When its hunched time last ended, seconds.
    pub last_hunched: f64,
    /// Hunched seconds in it (interruptions excluded).
    pub hunched_s: f64,
}

impl Episodes {
    /// Feeds one sample covering `(from, to]` seconds in `state`. Returns true when it
    /// began a new episode.
    pub fn push(&mut self, from: f64, to: f64, state: MonitorState) -> bool {
        if state.ends_episode() {
            self.current = None;
            return false;
        }
        if !state.is_hunched() {
            return false;
        }
        match &mut self.current {
            Some(e) if from - e.last_hunched < EPISODE_GAP_SECONDS => {
                e.last_hunched = to;
                e.hunched_s += to - from;
                false
            }
            _ => {
                self.current = Some(Episode {
                    start: from,
                    last_hunched: to,
                    hunched_s: to - from,
                });
                true
            }
        }
    }

    /// Ends the episode in progress (a pause, the screen locked).
    pub fn end(&mut self) {
        self.current = None;
    }

    /// The episode in progress, if the last hunched time is recent enough at `now` that a
    /// hunched sample now would continue it.
    pub fn current(&self, now: f64) -> Option<Episode> {
        self.current
            .filter(|e| now - e.last_hunched < EPISODE_GAP_SECONDS)
    }
}

/// A setting outside its range, naming the key. Each stage's parameters check themselves
/// and say which key is wrong; the config file adds its section and path.
#[derive(Debug, Clone, PartialEq, Error)]
#[error("{key} {reason}")]
pub struct BadSetting {
    pub key: &'static str,
    pub reason: String,
}

impl BadSetting {
    pub fn new(key: &'static str, reason: impl Into<String>) -> BadSetting {
        BadSetting {
            key,
            reason: reason.into(),
        }
    }

    /// Checks that `value` is a finite number in `range`, inclusive.
    pub fn check_range(
        key: &'static str,
        value: f64,
        range: std::ops::RangeInclusive<f64>,
    ) -> Result<(), BadSetting> {
        if value.is_finite() && range.contains(&value) {
            Ok(())
        } else {
            Err(BadSetting::new(
                key,
                format!(
                    "must be between {} and {} (found {value})",
                    range.start(),
                    range.end()
                ),
            ))
        }
    }
}

/// A numeric setting: its value and the range accepted for it, given the other settings
/// (a slower camera needs longer filter windows; `exit_deg` must stay below `enter_deg`).
/// The one source of every range: validation, `hunch config`'s checks, the tests that
/// try each end, and any editor of the settings all read it.
#[derive(Debug, Clone, PartialEq)]
pub struct Limit {
    /// The config file's section (set by [`crate::config::Config::limits`]).
    pub section: &'static str,
    pub key: &'static str,
    pub value: f64,
    pub min: f64,
    pub max: f64,
    /// Why the range is narrower than the key's own, when another setting narrows it.
    pub because: Option<String>,
}

impl Limit {
    pub fn new(key: &'static str, value: f64, range: std::ops::RangeInclusive<f64>) -> Limit {
        Limit {
            section: "",
            key,
            value,
            min: *range.start(),
            max: *range.end(),
            because: None,
        }
    }

    /// Narrows the range to `min..=max` for the reason given (said when it is broken).
    pub fn narrowed(mut self, min: f64, max: f64, because: impl Into<String>) -> Limit {
        if min > self.min || max < self.max {
            self.min = self.min.max(min);
            self.max = self.max.min(max);
            self.because = Some(because.into());
        }
        self
    }

    pub fn check(&self) -> Result<(), BadSetting> {
        // Settings kept as f32 (angles) come back a few ulps off the decimal they were
        // written as: 0.4 is 0.4000000059604645.
        let slack = |bound: f64| 1e-6 * bound.abs().max(1.0);
        if self.value.is_finite()
            && self.value >= self.min - slack(self.min)
            && self.value <= self.max + slack(self.max)
        {
            return Ok(());
        }
        let range = format!("between {} and {}", self.min, self.max);
        Err(BadSetting::new(
            self.key,
            match &self.because {
                Some(why) => format!("({}) must be {range}: {why}", self.value),
                None => format!("must be {range} (found {})", self.value),
            },
        ))
    }

    /// Checks each in turn; the first that fails names its key.
    pub fn check_all(limits: &[Limit]) -> Result<(), BadSetting> {
        limits.iter().try_for_each(Limit::check)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use MonitorState::*;

    #[test]
    fn words_round_trip_and_unknown_words_are_named() {
        for s in MonitorState::ALL {
            assert_eq!(s.as_str().parse::<MonitorState>(), Ok(*s));
            assert_eq!(serde_json::to_string(s).unwrap(), format!("\"{s}\""));
        }
        for k in EventKind::ALL {
            assert_eq!(k.as_str().parse::<EventKind>(), Ok(*k));
        }
        let e = "slouching".parse::<MonitorState>().unwrap_err();
        assert_eq!(e.to_string(), "unknown monitor state `slouching`");
        let e = "alarm".parse::<EventKind>().unwrap_err();
        assert_eq!(e.to_string(), "unknown event kind `alarm`");
    }

    #[test]
    fn every_state_is_exactly_one_of_monitored_held_or_away() {
        for s in MonitorState::ALL {
            let n = [s.is_monitored(), s.is_held(), *s == Away]
                .iter()
                .filter(|b| **b)
                .count();
            assert_eq!(n, 1, "{s}");
            if s.is_hunched() {
                assert!(s.is_monitored());
            }
        }
    }

    #[test]
    fn episodes_survive_short_interruptions_and_end_at_upright_away_held_or_long_gaps() {
        let mut e = Episodes::default();
        // Hunched 0–10 s, unmeasured 10–40 s, hunched 40–50 s: one episode.
        assert!(e.push(0.0, 10.0, Hunching));
        assert!(!e.push(10.0, 40.0, Unmeasured));
        assert!(!e.push(40.0, 50.0, Hunched));
        assert_eq!(e.current(50.0).unwrap().hunched_s, 20.0);
        assert_eq!(e.current(50.0).unwrap().start, 0.0);
        // 60 s without hunched time (missing samples): a new episode.
        assert!(e.push(110.0, 111.0, Hunched));
        // Upright, away and held samples end it at once.
        for s in [Upright, Away, Paused, Locked] {
            e.push(111.0, 112.0, s);
            assert!(e.current(112.0).is_none(), "{s}");
            assert!(e.push(112.0, 113.0, Hunched));
        }
        // The legacy snoozed state neither continues nor ends one.
        assert!(!e.push(114.0, 115.0, Hunched));
        assert!(e.current(115.0 + EPISODE_GAP_SECONDS).is_none());
    }
}
