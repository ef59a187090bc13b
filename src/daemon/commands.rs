//! Commands, whatever carried them (the control socket, a notification's button, the
//! tray): the one place each command's meaning lives.

use super::{local_date, seconds_to_midnight, Daemon, DaemonError, Update};
use crate::control::command::{Command, PauseFor, Reply};
use crate::policy::Until;
use crate::support::human::short_duration;
use crate::vocab::EventKind;

impl Daemon {
    /// Carries out one command: the one place each command's meaning lives.
    pub fn command(&mut self, command: Command) -> Result<Reply, DaemonError> {
        let reply = match command.validate() {
            Err(message) => Reply::Error { message },
            Ok(()) => self.apply(&command)?,
        };
        self.emit(&Update::Command {
            command: &command,
            reply: &reply,
        });
        Ok(reply)
    }

    pub(super) fn apply(&mut self, command: &Command) -> Result<Reply, DaemonError> {
        let now = self.clock.now();
        let wall = self.clock.wall_ms();
        let ok = |message: String| Reply::Ok { message };
        Ok(match command {
            Command::Status => Reply::Status(Box::new(self.status()?)),
            Command::Pause { length } => {
                let (until, detail, message) = match *length {
                    PauseFor::Seconds(s) => (
                        Until::Time(now + s),
                        format!("{s:.0} s"),
                        format!("paused for {}", short_duration(s)),
                    ),
                    PauseFor::Today => (
                        Until::Time(now + seconds_to_midnight(wall, &self.settings.tz)),
                        "for today".to_string(),
                        "paused until midnight".to_string(),
                    ),
                    PauseFor::UntilResumed => (
                        Until::Resumed,
                        "until resumed".to_string(),
                        "paused until `hunch resume`".to_string(),
                    ),
                };
                self.monitor.pause(until);
                self.begin_hold(now, wall);
                self.write_event(wall, EventKind::Pause, &detail);
                ok(message)
            }
            Command::Resume => {
                self.monitor.resume();
                self.write_event(wall, EventKind::Resume, "");
                ok("resumed".into())
            }
            Command::Snooze { seconds } => {
                let s = seconds.unwrap_or(self.monitor.policy().params().snooze_seconds);
                self.monitor.snooze(now, s);
                self.write_event(wall, EventKind::Snooze, &format!("{s:.0} s"));
                ok(format!("alerts snoozed for {}", short_duration(s)))
            }
            Command::Done { stretch } => {
                self.stretches_done += 1;
                self.write_event(wall, EventKind::Done, stretch);
                ok("noted: stretch done".into())
            }
            Command::Dismissed => {
                self.write_event(wall, EventKind::Dismissed, "");
                ok("dismissed".into())
            }
            Command::Live => Reply::Live(Box::new(self.live_status())),
            Command::Sight { after_ms } => {
                self.sight_wanted_until = now + super::SIGHT_KEEP_S;
                match &self.sight {
                    Some(s) if after_ms.is_none_or(|after| s.frame_wall_ms > after) => {
                        Reply::Sight(Box::new(s.clone()))
                    }
                    Some(_) => ok("no newer picture".into()),
                    None => ok("no picture yet: the next frame brings one".into()),
                }
            }
            Command::Headache { intensity } => self.log_headache(wall, *intensity),
            Command::ReloadCalibration => self.reload_calibration(),
            Command::Quit => {
                self.quit = true;
                ok("hunch is stopping".into())
            }
        })
    }

    /// Logs a headache at `wall` in the diary.
    pub(super) fn log_headache(&mut self, wall: i64, intensity: u8) -> Reply {
        let at = jiff::Timestamp::from_millisecond(wall).unwrap_or_else(|_| jiff::Timestamp::now());
        let h = match crate::diary::Headache::new(at, intensity).validate() {
            Ok(h) => h,
            Err(e) => {
                return Reply::Error {
                    message: e.to_string(),
                }
            }
        };
        let started = local_date(wall, &self.settings.tz).to_string();
        match self.journal.add_headache(&h, wall, &started) {
            Ok(id) => Reply::Ok {
                message: format!(
                    "logged headache #{id}, intensity {intensity}/10 (details: `hunch headache edit {id}`)"
                ),
            },
            Err(e) => Reply::Error {
                message: format!("the headache was not logged: {e}"),
            },
        }
    }

    /// Reads the calibration profile again and measures against it from now on.
    pub(super) fn reload_calibration(&mut self) -> Reply {
        let loaded = crate::posture::calibration::Calibration::default_path()
            .and_then(|p| crate::posture::calibration::Calibration::load(&p));
        match loaded {
            Ok(cal) => {
                self.monitor.set_neutral(cal.neutral);
                let model = self
                    .settings
                    .calibration
                    .take()
                    .map(|(_, m)| m)
                    .unwrap_or_default();
                self.settings.calibration = Some((cal, model));
                // Checked against the next frame, like the profile loaded at start.
                self.calibration_checked = false;
                tracing::info!("measuring against the new calibration");
                Reply::Ok {
                    message: "measuring against the new calibration".into(),
                }
            }
            Err(e) => Reply::Error {
                message: e.to_string(),
            },
        }
    }
}
