//! The monitoring chain for one stream of frames: pose → posture → filter → policy. Pure
//! of I/O: it owns no thread, no clock, no journal and no notifier. The daemon
//! ([`crate::daemon`]) feeds it frames with their times, applies commands to it, and
//! routes what each [`Step`] decides to the journal and the notifier.

use image::RgbImage;

use crate::camera::Exposure;
use crate::policy::{Alert, Policy, PolicyParams, Until};
use crate::pose::{PoseEngine, PoseError};
use crate::posture::{self, FilterParams, ModelParams, Neutral, PostureFilter, Rejection, Sample};
use crate::vocab::MonitorState;

/// What one frame led to.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub state: MonitorState,
    /// The smoothed forward angle.
    pub forward_deg: Option<f32>,
    /// This frame on its own: its reading, or why it gave none.
    pub sample: Sample,
    /// The pose model's presence (0 when nothing was detected or the frame was blank).
    pub presence: f32,
    /// An alert is due now.
    pub alert: Option<Alert>,
    /// This frame began a run of dark or blank frames (lens covered?).
    pub blank_started: bool,
    /// The landmarks the reading came from, in the frame's pixels (for a view that draws
    /// them; about 1 KB, copied once per frame).
    pub pose: Option<crate::pose::Pose>,
}

pub struct Monitor {
    engine: PoseEngine,
    neutral: Neutral,
    model: ModelParams,
    filter: PostureFilter,
    policy: Policy,
    blank_streak: bool,
    held: bool,
}

impl Monitor {
    pub fn new(
        engine: PoseEngine,
        neutral: Neutral,
        model: ModelParams,
        filter: FilterParams,
        policy: PolicyParams,
    ) -> Self {
        Self {
            engine,
            neutral,
            model,
            filter: PostureFilter::new(filter),
            policy: Policy::new(policy),
            blank_streak: false,
            held: false,
        }
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The hunching thresholds in force: (enter, exit) degrees.
    pub fn thresholds(&self) -> (f32, f32) {
        let p = self.filter.params();
        (p.enter_deg, p.exit_deg)
    }

    /// Holds alerts until `t + seconds`; monitoring goes on.
    pub fn snooze(&mut self, t: f64, seconds: f64) {
        self.policy.snooze(t, seconds);
    }

    /// Ends a pause and a snooze.
    pub fn resume(&mut self) {
        self.policy.resume();
    }

    /// Follows the screen lock (locked: monitoring is held).
    pub fn set_locked(&mut self, locked: bool) {
        self.policy.set_locked(locked);
    }

    /// Follows another application using the camera (while it does, monitoring is held).
    pub fn set_camera_in_use(&mut self, in_use: bool) {
        self.policy.set_camera_in_use(in_use);
    }

    /// The pause and the snooze in effect at `t`, if any (an expired one ends here).
    pub fn holds(&mut self, t: f64) -> (Option<Until>, Option<f64>) {
        (self.policy.paused(t), self.policy.snoozed_until(t))
    }

    /// Measures against `neutral` from now on (a new calibration). The filter starts
    /// afresh: its history was measured against the old one.
    pub fn set_neutral(&mut self, neutral: Neutral) {
        self.neutral = neutral;
        self.filter.reset();
    }

    /// Pauses until `until`.
    pub fn pause(&mut self, until: Until) {
        self.policy.pause(until);
    }

    /// Whether monitoring is held at `t` (paused or locked), and as what. Entering a hold
    /// forgets the stream: the filter's history and the pose tracker start afresh when
    /// monitoring resumes, whatever the hold was.
    pub fn hold(&mut self, t: f64) -> Option<MonitorState> {
        let held = self.policy.hold(t);
        if held.is_some() && !self.held {
            self.filter.reset();
            self.engine.reset();
            self.blank_streak = false;
        }
        self.held = held.is_some();
        held
    }

    /// Processes one frame taken at `t` seconds. While held it measures nothing and
    /// returns the hold.
    pub fn process(&mut self, image: &RgbImage, t: f64) -> Result<Step, PoseError> {
        // Held: no pose is computed; `judge` returns the hold.
        if self.hold(t).is_some() {
            return Ok(self.judge(None, t));
        }
        let exposure = Exposure::of(image);
        let est = if exposure.is_blank() {
            None
        } else {
            Some(self.engine.track(image)?)
        };
        Ok(self.judge(est.as_ref(), t))
    }

    /// The rest of the chain for a frame whose pose is known (`None`: the frame was dark
    /// or blank): posture, filter, policy. [`Monitor::process`] calls it after the pose
    /// engine; tests call it with poses computed once, to try many settings on the same
    /// frames.
    pub fn judge(&mut self, est: Option<&crate::pose::PoseEstimate>, t: f64) -> Step {
        if let Some(state) = self.hold(t) {
            return Step {
                state,
                forward_deg: None,
                sample: Sample::Rejected(Rejection::NoPerson),
                presence: 0.0,
                alert: None,
                blank_started: false,
                pose: None,
            };
        }
        let mut blank_started = false;
        let (sample, presence) = match est {
            None => {
                blank_started = !self.blank_streak;
                self.blank_streak = true;
                (Sample::Rejected(Rejection::NoPerson), 0.0)
            }
            Some(est) => {
                self.blank_streak = false;
                let sample = match posture::assess(est, &self.neutral, &self.model) {
                    Ok((_, reading)) => Sample::Measured(reading),
                    Err(r) => Sample::Rejected(r),
                };
                (sample, est.presence)
            }
        };
        self.policy
            .reading(t, forward_reading(&sample, self.filter.params().exit_deg));
        let filtered = self.filter.push(t, sample);
        let (state, alert) = self.policy.step(t, filtered.state);
        Step {
            state,
            forward_deg: filtered.forward_deg,
            sample,
            presence,
            alert,
            blank_started,
            pose: est.and_then(|e| e.pose.clone()),
        }
    }

    /// The pose engine back, for another monitor (loading the models is the slow part).
    pub fn into_engine(self) -> PoseEngine {
        self.engine
    }
}

/// One frame's reading as the policy's [`Policy::reading`] takes it: forward at or above
/// the filter's exit threshold; nobody there counts as not forward; a frame that could not
/// be measured says nothing.
fn forward_reading(sample: &Sample, exit_deg: f32) -> Option<bool> {
    match sample {
        Sample::Measured(r) if r.counts() => Some(r.forward_deg >= exit_deg),
        Sample::Measured(_) => None,
        Sample::Rejected(Rejection::NoPerson) => Some(false),
        Sample::Rejected(_) => None,
    }
}
