//! From noisy per-frame readings to a posture state the monitor can act on.
//!
//! * **Smoothing: a sliding median** of the readings in the last `smooth_seconds`. At
//!   about one frame a second the job is not low lag (decisions take minutes) but
//!   robustness: single frames where BlazePose's shoulder landmarks jump by tens of pixels
//!   must not move the estimate at all. A median ignores them; an EMA or One-Euro filter
//!   would smear each one over the following samples.
//! * **Hysteresis**: hunching starts when the smoothed angle reaches `enter_deg` and ends
//!   only below `exit_deg`, so an angle hovering near one threshold does not flicker.
//!   Hunching starts at 6°: above the ~5° minimal detectable change of clinical CVA
//!   measures and about twice the ~2.5° frame-to-frame spread we measure on upright
//!   frames; it ends below 4°.
//! * **Sustain**: `Hunched` (the state that may alert) needs hunching in at least
//!   `sustain_fraction` of the measured time in the last `sustain_seconds`, with at least
//!   half of that window measured. A glance at the keyboard never gets there.
//! * **Absence** is its own state: no person for `away_after_seconds` is `Away`, which
//!   clears the history; shorter gaps and unmeasurable frames (head turned, looking down)
//!   count as neither upright nor hunched.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::features::Rejection;
use super::model::Reading;
use crate::vocab::{BadSetting, Limit};

/// How far below `enter_deg` `exit_deg` must be at least: the hysteresis that keeps an
/// angle hovering at one threshold from flickering.
const EXIT_BELOW_ENTER_DEG: f64 = 0.1;

/// Samples the median needs before hunching can start.
const MIN_SAMPLES_TO_ENTER: usize = 3;

/// The shortest median window that can ever hold [`MIN_SAMPLES_TO_ENTER`] readings taken
/// every `interval` seconds, with a whole interval to spare for a late frame: any shorter
/// and hunching could never start.
fn min_smooth_seconds(interval: f64) -> f64 {
    MIN_SAMPLES_TO_ENTER as f64 * interval
}

/// The shortest sustain window in which hunching can become sustained at one reading
/// every `interval` seconds: the rule needs a reading at least half the window old, so
/// the window must span two intervals, and one more for a late frame.
fn min_sustain_seconds(interval: f64) -> f64 {
    3.0 * interval
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FilterParams {
    pub smooth_seconds: f64,
    pub enter_deg: f32,
    pub exit_deg: f32,
    pub sustain_seconds: f64,
    pub sustain_fraction: f32,
    pub away_after_seconds: f64,
}

impl Default for FilterParams {
    fn default() -> Self {
        Self {
            smooth_seconds: 5.0,
            enter_deg: 6.0,
            exit_deg: 4.0,
            sustain_seconds: 60.0,
            sustain_fraction: 0.7,
            away_after_seconds: 10.0,
        }
    }
}

impl FilterParams {
    /// Each value's accepted range with readings every `interval` seconds (the camera's
    /// full rate, the one hunching is measured at).
    pub fn limits_at(&self, interval: f64) -> Vec<Limit> {
        let (smooth, sustain) = (min_smooth_seconds(interval), min_sustain_seconds(interval));
        vec![
            Limit::new("smooth_seconds", self.smooth_seconds, 0.0..=600.0).narrowed(
                smooth,
                f64::INFINITY,
                format!(
                    "with a reading every {interval} s ([camera] interval_seconds) the median \
                     needs {smooth} s to hold the {MIN_SAMPLES_TO_ENTER} readings hunching \
                     starts on"
                ),
            ),
            Limit::new("enter_deg", self.enter_deg as f64, 0.5..=60.0),
            Limit::new("exit_deg", self.exit_deg as f64, -30.0..=60.0).narrowed(
                f64::NEG_INFINITY,
                self.enter_deg as f64 - EXIT_BELOW_ENTER_DEG,
                format!(
                    "it must be at least {EXIT_BELOW_ENTER_DEG}° below enter_deg ({})",
                    self.enter_deg
                ),
            ),
            Limit::new("sustain_seconds", self.sustain_seconds, 1.0..=3600.0).narrowed(
                sustain,
                f64::INFINITY,
                format!(
                    "with a reading every {interval} s ([camera] interval_seconds) hunching \
                     is sustained only when readings cover half of it, which takes {sustain} s"
                ),
            ),
            Limit::new("sustain_fraction", self.sustain_fraction as f64, 0.01..=1.0),
            Limit::new("away_after_seconds", self.away_after_seconds, 0.0..=3600.0),
        ]
    }

    /// Checks every value against [`FilterParams::limits_at`]; the message names the key.
    fn validate_at(&self, interval: f64) -> Result<(), BadSetting> {
        Limit::check_all(&self.limits_at(interval))
    }

    /// As [`FilterParams::validate_at`] at the default camera rate.
    pub fn validate(&self) -> Result<(), BadSetting> {
        self.validate_at(crate::camera::CameraParams::default().interval_seconds)
    }
}

/// What the filter concludes after each sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostureState {
    /// No person for a while.
    Away,
    /// A person, but this frame could not be measured (turned away, looking down).
    Unmeasured,
    Upright,
    /// Hunching now, not yet for long enough.
    Hunching,
    /// Hunching sustained: the state that may alert.
    Hunched,
}

/// One input to the filter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Sample {
    Measured(Reading),
    Rejected(Rejection),
}

/// The filter's output for one sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Filtered {
    pub state: PostureState,
    /// The smoothed forward angle, when there is one.
    pub forward_deg: Option<f32>,
}

#[derive(Debug)]
pub struct PostureFilter {
    p: FilterParams,
    /// (time, forward_deg) for the median.
    recent: VecDeque<(f64, f32)>,
    /// (time, hunching?) of measured samples, for the sustain rule.
    history: VecDeque<(f64, bool)>,
    hunching: bool,
    /// When the person was last missing since, if they are missing now.
    absent_since: Option<f64>,
    away: bool,
    last_time: Option<f64>,
}

impl PostureFilter {
    pub fn new(p: FilterParams) -> Self {
        Self {
            p,
            recent: VecDeque::new(),
            history: VecDeque::new(),
            hunching: false,
            absent_since: None,
            away: false,
            last_time: None,
        }
    }

    pub fn params(&self) -> &FilterParams {
        &self.p
    }

    /// Forgets everything, as after a pause or a change of camera.
    pub fn reset(&mut self) {
        *self = Self::new(self.p);
    }

    /// Feeds one sample taken at `t` seconds (monotonic, any origin).
    pub fn push(&mut self, t: f64, sample: Sample) -> Filtered {
        // A clock that runs backwards would corrupt the windows: start afresh.
        if self.last_time.is_some_and(|last| t < last) {
            self.reset();
        }
        self.last_time = Some(t);
        let unmeasured = Filtered {
            state: PostureState::Unmeasured,
            forward_deg: None,
        };
        match sample {
            Sample::Rejected(Rejection::NoPerson) => {
                let since = *self.absent_since.get_or_insert(t);
                if t - since >= self.p.away_after_seconds {
                    self.away = true;
                    self.recent.clear();
                    self.history.clear();
                    self.hunching = false;
                }
                if self.away {
                    Filtered {
                        state: PostureState::Away,
                        forward_deg: None,
                    }
                } else {
                    unmeasured
                }
            }
            Sample::Rejected(_) => {
                self.present();
                unmeasured
            }
            // A head pitched down is not forward-head posture: measured, not counted.
            Sample::Measured(r) if !r.counts() => {
                self.present();
                unmeasured
            }
            Sample::Measured(r) => {
                self.present();
                self.recent.push_back((t, r.forward_deg));
                while self
                    .recent
                    .front()
                    .is_some_and(|&(ts, _)| t - ts > self.p.smooth_seconds)
                {
                    self.recent.pop_front();
                }
                let smoothed = median(self.recent.iter().map(|&(_, v)| v));
                let threshold = if self.hunching {
                    self.p.exit_deg
                } else {
                    self.p.enter_deg
                };
                // A median of one or two samples is no protection against an outlier:
                // hunching may only start once the window holds enough of them.
                let enough = self.recent.len() >= MIN_SAMPLES_TO_ENTER;
                self.hunching = smoothed >= threshold && (self.hunching || enough);
                self.history.push_back((t, self.hunching));
                while self
                    .history
                    .front()
                    .is_some_and(|&(ts, _)| t - ts > self.p.sustain_seconds)
                {
                    self.history.pop_front();
                }
                Filtered {
                    state: self.state(t),
                    forward_deg: Some(smoothed),
                }
            }
        }
    }

    fn present(&mut self) {
        self.absent_since = None;
        self.away = false;
    }

    fn state(&self, t: f64) -> PostureState {
        if !self.hunching {
            return PostureState::Upright;
        }
        let Some(&(oldest, _)) = self.history.front() else {
            return PostureState::Hunching;
        };
        let covered = t - oldest >= 0.5 * self.p.sustain_seconds;
        let share =
            self.history.iter().filter(|&&(_, h)| h).count() as f32 / self.history.len() as f32;
        if covered && share >= self.p.sustain_fraction {
            PostureState::Hunched
        } else {
            PostureState::Hunching
        }
    }
}

fn median(values: impl Iterator<Item = f32>) -> f32 {
    let mut v: Vec<f32> = values.collect();
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f32::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(forward_deg: f32) -> Sample {
        Sample::Measured(Reading {
            forward_deg,
            cva_approx_deg: 51.0 - forward_deg,
            frontal_deg: forward_deg,
            world_deg: forward_deg,
            looking_down: false,
            leaning_in: false,
        })
    }

    /// Runs `angle(t)` at 1 Hz for `seconds`, returning the states.
    fn run(
        f: &mut PostureFilter,
        from: u32,
        seconds: u32,
        angle: impl Fn(f64) -> Sample,
    ) -> Vec<PostureState> {
        (from..from + seconds)
            .map(|s| f.push(s as f64, angle(s as f64)).state)
            .collect()
    }

    /// A deterministic noise source (xorshift), uniform in [-1, 1].
    fn noise(seed: &mut u64) -> f32 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        (*seed % 20_001) as f32 / 10_000.0 - 1.0
    }

    #[test]
    fn step_enters_hunching_then_sustains() {
        let mut f = PostureFilter::new(FilterParams::default());
        let before = run(&mut f, 0, 60, |_| reading(0.0));
        assert!(before.iter().all(|s| *s == PostureState::Upright));
        let after = run(&mut f, 60, 120, |_| reading(12.0));
        // The 6-sample median needs most of the step: hunching from the 3rd sample.
        assert_eq!(after[1], PostureState::Upright);
        assert_eq!(after[2], PostureState::Hunching);
        // Sustained once ≥ 70% of the last 60 s is hunched: 42 of 61 samples.
        let first_hunched = after
            .iter()
            .position(|s| *s == PostureState::Hunched)
            .unwrap();
        assert!((41..=45).contains(&first_hunched), "{first_hunched}");
        assert!(after[first_hunched..]
            .iter()
            .all(|s| *s == PostureState::Hunched));
    }

    #[test]
    fn ramp_crosses_the_enter_threshold_once() {
        let mut f = PostureFilter::new(FilterParams::default());
        // 0 → 12° over 120 s: 6° is reached at t = 60 (the median lags ~2 s).
        let states = run(&mut f, 0, 180, |t| reading((t / 10.0).min(12.0) as f32));
        let first = states
            .iter()
            .position(|s| *s != PostureState::Upright)
            .unwrap();
        assert!((60..=63).contains(&first), "{first}");
        assert!(states[first..].iter().all(|s| *s != PostureState::Upright));
        assert_eq!(*states.last().unwrap(), PostureState::Hunched);
    }

    #[test]
    fn noise_and_single_frame_spikes_never_alert() {
        let mut f = PostureFilter::new(FilterParams::default());
        let mut seed = 0x9e3779b97f4a7c15u64;
        // ±4° of noise around 1°, and every 7th frame a 30° outlier (a landmark jump).
        let states: Vec<_> = (0..600)
            .map(|s| {
                let v = if s % 7 == 0 {
                    30.0
                } else {
                    1.0 + 4.0 * noise(&mut seed)
                };
                f.push(s as f64, reading(v)).state
            })
            .collect();
        assert!(
            states.iter().all(|s| *s == PostureState::Upright),
            "{:?}",
            states.iter().find(|s| **s != PostureState::Upright)
        );
    }

    #[test]
    fn hysteresis_holds_between_the_thresholds() {
        let mut f = PostureFilter::new(FilterParams::default());
        // 5° from upright stays upright (below enter 6°) ...
        assert!(run(&mut f, 0, 30, |_| reading(5.0))
            .iter()
            .all(|s| *s == PostureState::Upright));
        // ... but after hunching, 5° stays hunching (above exit 4°) ...
        run(&mut f, 30, 10, |_| reading(9.0));
        assert!(run(&mut f, 40, 30, |_| reading(5.0))
            .iter()
            .all(|s| *s != PostureState::Upright));
        // ... until below 4°.
        let back = run(&mut f, 70, 10, |_| reading(2.0));
        assert_eq!(*back.last().unwrap(), PostureState::Upright);
    }

    #[test]
    fn short_dropouts_are_ignored_long_absence_is_away_and_resets() {
        let mut f = PostureFilter::new(FilterParams::default());
        run(&mut f, 0, 100, |_| reading(10.0));
        // 5 s without a person: unmeasured, but the sustained state survives.
        let gap = run(&mut f, 100, 5, |_| Sample::Rejected(Rejection::NoPerson));
        assert!(gap.iter().all(|s| *s == PostureState::Unmeasured));
        assert_eq!(f.push(105.0, reading(10.0)).state, PostureState::Hunched);
        // 15 s away: Away after 10 s, and the history is gone.
        let away = run(&mut f, 106, 15, |_| Sample::Rejected(Rejection::NoPerson));
        assert_eq!(away[9], PostureState::Unmeasured);
        assert_eq!(away[10], PostureState::Away);
        // Back and hunched again: hunching once the median has 3 samples, sustained only
        // after a new window.
        let back = run(&mut f, 121, 20, |_| reading(10.0));
        assert_eq!(back[..2], [PostureState::Upright, PostureState::Upright]);
        assert!(
            back[2..].iter().all(|s| *s == PostureState::Hunching),
            "{back:?}"
        );
    }

    #[test]
    fn unmeasurable_frames_count_as_neither() {
        let mut f = PostureFilter::new(FilterParams::default());
        run(&mut f, 0, 30, |_| reading(0.0));
        let turned = run(&mut f, 30, 30, |_| Sample::Rejected(Rejection::HeadTurned));
        assert!(turned.iter().all(|s| *s == PostureState::Unmeasured));
        let mut down = reading(20.0);
        if let Sample::Measured(r) = &mut down {
            r.looking_down = true;
        }
        assert_eq!(f.push(60.0, down).state, PostureState::Unmeasured);
        assert_eq!(f.push(61.0, reading(0.0)).state, PostureState::Upright);
    }

    #[test]
    fn clock_going_backwards_restarts() {
        let mut f = PostureFilter::new(FilterParams::default());
        run(&mut f, 100, 100, |_| reading(10.0));
        // History from the "future" is dropped: a fresh start needs 3 samples again.
        assert_eq!(f.push(5.0, reading(10.0)).state, PostureState::Upright);
        f.push(6.0, reading(10.0));
        assert_eq!(f.push(7.0, reading(10.0)).state, PostureState::Hunching);
    }

    #[test]
    fn validation_names_the_setting() {
        let bad = FilterParams {
            exit_deg: 7.0,
            ..FilterParams::default()
        };
        assert_eq!(bad.validate().unwrap_err().key, "exit_deg");
        let bad = FilterParams {
            sustain_fraction: 1.5,
            ..FilterParams::default()
        };
        assert_eq!(bad.validate().unwrap_err().key, "sustain_fraction");
        assert!(FilterParams::default().validate().is_ok());
    }
}
