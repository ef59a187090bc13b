//! What the monitor sees now: the live state (for `hunch watch` and the tray, several times
//! a second, no journal read) and the status (`hunch status`: with today's figures).

use super::{Daemon, DaemonError};
use crate::control::command::{LiveStatus, Status};
use crate::policy::Until;
use crate::report::store::{self, ReportError};
use crate::report::Period;
use crate::vocab::MonitorState;

impl Daemon {
    /// What the monitor sees now, without today's figures (no journal read).
    pub fn live_status(&mut self) -> LiveStatus {
        let now = self.clock.now();
        let wall = self.clock.wall_ms();
        let to_wall = |t: f64| wall + ((t - now) * 1000.0).round() as i64;
        let held = self.monitor.hold(now);
        let (paused, snoozed) = self.monitor.holds(now);
        let (enter_deg, exit_deg) = self.monitor.thresholds();
        let policy = self.monitor.policy();
        let live = crate::control::command::Live {
            enter_deg,
            exit_deg,
            frame_deg: match self.last_frame {
                Some((crate::posture::Sample::Measured(r), _)) => Some(r.forward_deg),
                _ => None,
            },
            not_measured: match self.last_frame {
                Some((crate::posture::Sample::Rejected(r), _)) => Some(r.advice().to_string()),
                Some((crate::posture::Sample::Measured(r), _)) if !r.counts() => {
                    Some("your head is pitched down (phone, keyboard): not counted".into())
                }
                _ => None,
            },
            hunching_for_s: policy.episode_start(now).map(|s| now - s),
            alert_in_s: policy.alert_due_at(now).map(|d| d - now),
            frame_wall_ms: self.last_frame.map(|(_, w)| w),
        };
        // Without frames (camera trouble) the last state is stale: nothing is measured.
        let state = match (held, &self.trouble) {
            (Some(h), _) => h,
            (None, Some(_)) => MonitorState::Unmeasured,
            (None, None) => self.last.0,
        };
        LiveStatus {
            state,
            forward_deg: if held.is_some() || self.trouble.is_some() {
                None
            } else {
                self.last.1
            },
            paused: paused.is_some(),
            paused_until_ms: match paused {
                Some(Until::Time(t)) => Some(to_wall(t)),
                _ => None,
            },
            snoozed_until_ms: snoozed.map(to_wall),
            source: self.source_id.clone(),
            source_trouble: self.trouble.clone(),
            live,
        }
    }

    /// What the monitor sees now, with today's figures summed from the journal.
    pub fn status(&mut self) -> Result<Status, DaemonError> {
        let now = self.clock.now();
        let wall = self.clock.wall_ms();
        let l = self.live_status();
        let flushed = self.journal.flush();
        self.journal_result(flushed);
        // Today as the report sums it (what is still waiting in memory is not in it).
        let today = Period::day(self.today, &self.settings.tz)
            .map_err(ReportError::from)
            .and_then(|p| store::compute(&self.journal, &p));
        let today = match today {
            Ok(t) => t,
            Err(e) => {
                tracing::warn!("today's figures could not be read: {e}");
                crate::report::summarize(
                    &Period::span(String::new(), wall, wall, &self.settings.tz)
                        .map_err(ReportError::from)?,
                    &[],
                    &[],
                )
            }
        };
        Ok(Status {
            now: l,
            samples: self.samples,
            alerts: self.alerts,
            stretches_done: self.stretches_done,
            uptime_seconds: now - self.started,
            today_monitored_s: today.monitored_s,
            today_hunched_s: today.hunched_s,
            today_hunched_share: today.hunched_share,
            today_camera_open_s: today.camera_open_s,
            today_camera_in_use_s: today.camera_in_use_s,
        })
    }
}
