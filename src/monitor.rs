//! The monitoring chain for one stream of frames: pose → posture → filter → policy →
//! notifier and journal. `hunch run` and `hunch demo` drive it; tests drive it with
//! recordings. It owns no thread and no clock: callers pass each frame's time.

use crate::camera::Frame;
use crate::frame::Exposure;
use crate::journal::{Journal, JournalError};
use crate::notify::{stretches, Notifier, Stretch, UserAction};
use crate::policy::{Alert, MonitorState, Policy, PolicyParams};
use crate::pose::{PoseEngine, PoseError};
use crate::posture::{self, FilterParams, ModelParams, Neutral, PostureFilter, Rejection, Sample};

/// Journal key holding the last stretch shown, so the rotation survives restarts.
const LAST_STRETCH: &str = "last_stretch";

#[derive(Debug, thiserror::Error)]
pub enum MonitorError {
    #[error(transparent)]
    Pose(#[from] PoseError),
    #[error(transparent)]
    Journal(#[from] JournalError),
}

/// What one frame led to.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub state: MonitorState,
    pub forward_deg: Option<f32>,
    pub alert: Option<(Alert, &'static Stretch)>,
}

pub struct Monitor<N: Notifier> {
    engine: PoseEngine,
    neutral: Neutral,
    model: ModelParams,
    filter: PostureFilter,
    policy: Policy,
    notifier: N,
    journal: Journal,
    /// A sample stands for at most this long; longer gaps (the daemon stopped, the
    /// machine slept) are gaps, not monitored time.
    max_gap_seconds: f64,
    last_t: Option<f64>,
    notifier_down: bool,
    blank_streak: bool,
    pub alerts: u32,
    pub stretches_done: u32,
}

impl<N: Notifier> Monitor<N> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        engine: PoseEngine,
        neutral: Neutral,
        model: ModelParams,
        filter: FilterParams,
        policy: PolicyParams,
        notifier: N,
        journal: Journal,
        max_gap_seconds: f64,
    ) -> Self {
        Self {
            engine,
            neutral,
            model,
            filter: PostureFilter::new(filter),
            policy: Policy::new(policy),
            notifier,
            journal,
            max_gap_seconds,
            last_t: None,
            notifier_down: false,
            blank_streak: false,
            alerts: 0,
            stretches_done: 0,
        }
    }

    pub fn journal(&mut self) -> &mut Journal {
        &mut self.journal
    }

    pub fn notifier(&self) -> &N {
        &self.notifier
    }

    pub fn policy(&mut self) -> &mut Policy {
        &mut self.policy
    }

    /// Processes one frame taken at `frame.t` seconds (monotonic) and `wall_ms` (Unix ms).
    pub fn process(&mut self, frame: &Frame, wall_ms: i64) -> Result<Step, MonitorError> {
        let t = frame.t;
        let dt = self
            .last_t
            .map_or(0.0, |last| (t - last).clamp(0.0, self.max_gap_seconds));
        self.last_t = Some(t);

        let exposure = Exposure::of(&frame.image);
        let (sample, presence) = if exposure.is_blank() {
            if !self.blank_streak {
                self.blank_streak = true;
                self.journal
                    .event(wall_ms, "blank_frames", "dark or covered lens")?;
                tracing::warn!("camera frames are dark or blank (lens covered?)");
            }
            (Sample::Rejected(Rejection::NoPerson), 0.0)
        } else {
            self.blank_streak = false;
            let est = self.engine.track(&frame.image)?;
            let sample = match posture::assess(&est, &self.neutral, &self.model) {
                Ok((_, reading)) => Sample::Measured(reading),
                Err(r) => Sample::Rejected(r),
            };
            (sample, est.presence)
        };
        let filtered = self.filter.push(t, sample);
        let (state, alert) = self.policy.step(t, filtered.state, false);
        self.journal.sample(
            wall_ms,
            (dt * 1000.0).round() as i64,
            state,
            filtered.forward_deg,
            presence,
        )?;
        let alert = match alert {
            Some(a) => Some((a, self.alert(a, wall_ms)?)),
            None => None,
        };
        Ok(Step {
            state,
            forward_deg: filtered.forward_deg,
            alert,
        })
    }

    fn alert(&mut self, alert: Alert, wall_ms: i64) -> Result<&'static Stretch, MonitorError> {
        let last = self.journal.get_meta(LAST_STRETCH)?;
        let stretch = stretches::next_after(last.as_deref());
        self.journal.set_meta(LAST_STRETCH, stretch.id)?;
        self.alerts += 1;
        let detail = format!(
            "{} after {:.0} s, {:?}",
            stretch.id, alert.hunched_for, alert.level
        );
        self.journal.event(wall_ms, "alert", &detail)?;
        match self.notifier.notify(&alert, stretch) {
            Ok(()) => self.notifier_down = false,
            Err(e) => {
                // Keep monitoring and journaling; say so once, try again next time.
                if !self.notifier_down {
                    tracing::warn!(
                        "{e}; hunch keeps monitoring and will try again at the next alert"
                    );
                    self.journal
                        .event(wall_ms, "notify_error", &e.to_string())?;
                }
                self.notifier_down = true;
            }
        }
        Ok(stretch)
    }

    /// Applies what the user did with a notification (or a control command).
    pub fn handle(
        &mut self,
        action: &UserAction,
        t: f64,
        wall_ms: i64,
        pause_until: Option<f64>,
    ) -> Result<(), MonitorError> {
        match action {
            UserAction::Done { stretch } => {
                self.stretches_done += 1;
                self.journal.event(wall_ms, "done", stretch)?;
            }
            UserAction::Snooze => {
                let s = self.policy.params().snooze_seconds;
                self.policy.snooze(t, s);
                self.journal
                    .event(wall_ms, "snooze", &format!("{s:.0} s"))?;
            }
            UserAction::PauseToday => {
                self.policy.pause(pause_until);
                self.filter.reset();
                self.engine.reset();
                self.journal.event(wall_ms, "pause", "for today")?;
            }
            UserAction::Dismissed => self.journal.event(wall_ms, "dismissed", "")?,
        }
        Ok(())
    }
}
