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
    /// Checks the values make sense together; the message names the setting.
    pub fn validate(&self) -> Result<(), String> {
        let all = [
            self.smooth_seconds,
            self.enter_deg as f64,
            self.exit_deg as f64,
            self.sustain_seconds,
            self.sustain_fraction as f64,
            self.away_after_seconds,
        ];
        if all.iter().any(|v| !v.is_finite()) {
            return Err("every value must be a finite number".into());
        }
        if self.smooth_seconds < 0.0 || self.away_after_seconds < 0.0 {
            return Err("smooth_seconds and away_after_seconds must be 0 or more".into());
        }
        if self.exit_deg >= self.enter_deg {
            return Err(format!(
                "exit_deg ({}) must be below enter_deg ({})",
                self.exit_deg, self.enter_deg
            ));
        }
        if self.sustain_seconds <= 0.0 {
            return Err("sustain_seconds must be above 0".into());
        }
        if self.sustain_fraction <= 0.0 || self.sustain_fraction > 1.0 {
            return Err("sustain_fraction must be above 0 and at most 1".into());
        }
        Ok(())
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
            Sample::Measured(r) if r.looking_down => {
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
                self.hunching = smoothed >= threshold;
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
