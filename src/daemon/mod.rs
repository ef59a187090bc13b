//! The monitor as a library type. A [`Daemon`] owns everything `hunch run` runs: the frame
//! source, the chain ([`Monitor`]), the clock, the session watch (screen lock), the
//! commands (control socket, notification buttons, tray), the journal writes of its own
//! events, retention and the day cache. `hunch run`, `hunch demo` and the tests construct
//! one from [`Parts`] and call [`Daemon::run`], or drive it turn by turn with
//! [`Daemon::tick`].
//!
//! The stages that wait on the outside world run on their own threads and talk to the
//! daemon over channels (the camera's capture thread, the control socket, notification
//! answers); the daemon's own loop is single-threaded and owns the pose engine.
//!
//! Time: every sample the daemon journals (measured or held) stands for the time since the
//! previous one on the clock's wall time, capped at [`Settings::max_sample_seconds`]; so
//! journaled intervals tile the run without overlap whatever happens between samples
//! (pauses, locks, camera trouble), and gaps longer than the cap stay gaps.

mod commands;
mod journaling;
pub mod session;
mod status;

pub use journaling::sample_span_ms;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Receiver;
use std::time::Duration;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use thiserror::Error;

use crate::camera::Frame;
use crate::camera::{FrameSource, Poll, Sharing, SourceError};
use crate::control::command::{Command, Incoming, Reply};
use crate::journal::{Journal, JournalError};
use crate::monitor::{Monitor, Step};
use crate::notify::{stretches, Notifier, Stretch};
use crate::policy::Alert;
use crate::pose::PoseError;
use crate::posture::Calibration;
use crate::report::store::ReportError;
use crate::support::clock::Clock;
use crate::vocab::{EventKind, MonitorState};
use session::{SessionEvent, SessionWatch};

/// Journal key holding the last stretch shown, so the rotation survives restarts.
const LAST_STRETCH: &str = "last_stretch";

/// Longest the loop waits for a frame before looking at commands again.
const IDLE: Duration = Duration::from_millis(50);

/// The keeper's chores come this long after midnight, when the day's last samples are in.
const WARM_AFTER_MIDNIGHT_S: f64 = 180.0;

#[derive(Debug, Error)]
pub enum DaemonError {
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error(transparent)]
    Pose(#[from] PoseError),
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Report(#[from] ReportError),
}

/// How the daemon runs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Seconds between samples while held (paused, locked): one held sample per interval.
    pub sample_interval: f64,
    /// Longest time one sample stands for ([`crate::camera::CameraParams::max_sample_seconds`]).
    pub max_sample_seconds: f64,
    /// Samples and events older than this are deleted (at start and at each new day).
    pub retention_days: u32,
    /// Days are cut and "for today" ends in this zone.
    pub tz: TimeZone,
    /// Checked against the first frame, with the model in use: the daemon warns once when
    /// the calibration came from another source, frame size or model.
    pub calibration: Option<(Calibration, String)>,
    /// The kinds of self-care alerts suggest (stretches, self-massage), in rotation.
    pub prompt_kinds: Vec<stretches::PromptKind>,
}

impl Settings {
    /// The settings from the configuration, in the system's time zone, checking against
    /// the given calibration made with the named model.
    pub fn from_config(
        config: &crate::config::Config,
        calibration: Option<(Calibration, String)>,
    ) -> Self {
        Self {
            sample_interval: config.camera.interval_seconds,
            max_sample_seconds: config.camera.max_sample_seconds(),
            retention_days: config.journal.retention_days,
            tz: TimeZone::system(),
            calibration,
            prompt_kinds: config.prompts.kinds.clone(),
        }
    }
}

/// Everything a daemon is made of.
pub struct Parts {
    pub source: Box<dyn FrameSource>,
    pub clock: Box<dyn Clock>,
    pub monitor: Monitor,
    pub notifier: Box<dyn Notifier>,
    pub journal: Journal,
    pub session: Box<dyn SessionWatch>,
    /// Commands from the control socket, notification answers and the tray.
    pub commands: Receiver<Incoming>,
    pub settings: Settings,
}

/// Why the daemon stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// SIGTERM, SIGINT, or the caller's stop flag.
    Signal,
    /// A replayed recording ran out.
    EndOfRecording,
    /// [`Command::Quit`] (the tray's Quit).
    Quit,
}

impl StopReason {
    pub fn as_str(self) -> &'static str {
        match self {
            StopReason::Signal => "signal",
            StopReason::EndOfRecording => "end of recording",
            StopReason::Quit => "asked to quit",
        }
    }
}

/// What the daemon just did, for observers (the demo's printout, a live view).
#[derive(Debug)]
pub enum Update<'a> {
    /// A sample was journaled. `step` is the chain's output for a measured frame; `None`
    /// for a held sample.
    Sample {
        t: f64,
        wall_ms: i64,
        state: MonitorState,
        forward_deg: Option<f32>,
        step: Option<&'a Step>,
    },
    /// A frame was analysed (before its sample is journaled): the picture and the
    /// landmarks found on it, for a view that shows them. Only observers see the frame;
    /// it is never kept.
    Frame {
        image: &'a image::RgbImage,
        pose: Option<&'a crate::pose::Pose>,
    },
    /// An alert was shown.
    Alert {
        t: f64,
        alert: Alert,
        stretch: &'static Stretch,
    },
    /// A command was carried out.
    Command {
        command: &'a Command,
        reply: &'a Reply,
    },
}

type Observer = Box<dyn FnMut(&Update) + Send>;

/// What a finished run leaves: the journal and the counts.
pub struct Finished {
    pub journal: Journal,
    pub reason: StopReason,
    /// Measured samples.
    pub samples: u64,
    pub alerts: u32,
    pub stretches_done: u32,
    /// Wall time of the first and last journaled sample, Unix ms.
    pub first_wall_ms: Option<i64>,
    pub last_wall_ms: Option<i64>,
}

pub struct Daemon {
    source: Box<dyn FrameSource>,
    clock: Box<dyn Clock>,
    monitor: Monitor,
    notifier: Box<dyn Notifier>,
    journal: Journal,
    session: Box<dyn SessionWatch>,
    commands: Receiver<Incoming>,
    settings: Settings,
    source_id: String,
    started: f64,
    first_wall: Option<i64>,
    last_wall: Option<i64>,
    last_held_sample: Option<f64>,
    last: (MonitorState, Option<f32>),
    samples: u64,
    alerts: u32,
    stretches_done: u32,
    trouble: Option<String>,
    notifier_down: bool,
    calibration_checked: bool,
    today: Date,
    warm_at: Option<f64>,
    /// Retention, space and the day cache, on a thread of their own.
    keeper: Option<crate::journal::keeper::Keeper>,
    observers: Vec<Observer>,
    /// The journal cannot be written now (its rows wait in memory).
    journal_failing: bool,
    /// Frames the pose engine failed on, in a row.
    frame_errors: u64,
    /// The latest measured frame: its own reading or why it gave none, and when.
    last_frame: Option<(crate::posture::Sample, i64)>,
    /// [`Command::Quit`] was given: the next tick stops.
    quit: bool,
    /// Between logind's `PrepareForSleep(true)` and `(false)`: nothing is opened or
    /// recorded (logind always sends the second, even when suspending fails).
    asleep: bool,
    /// A window asked for the picture: until this clock time the latest frame's picture
    /// is kept (in memory) for it; otherwise none is.
    sight_wanted_until: f64,
    /// The latest frame's picture, while a window wants it.
    sight: Option<crate::control::sight::Sight>,
}

/// How long after a window's last ask for the picture the monitor keeps making one: the
/// window asks several times a second while it is open.
const SIGHT_KEEP_S: f64 = 5.0;

/// The local date of `wall_ms`.
fn local_date(wall_ms: i64, tz: &TimeZone) -> Date {
    jiff::Timestamp::from_millisecond(wall_ms)
        .map(|t| t.to_zoned(tz.clone()).date())
        .unwrap_or_default()
}

/// Seconds from `wall_ms` to the next local midnight in `tz` (at least one second).
pub fn seconds_to_midnight(wall_ms: i64, tz: &TimeZone) -> f64 {
    let midnight = local_date(wall_ms, tz)
        .tomorrow()
        .ok()
        .and_then(|d| d.to_zoned(tz.clone()).ok())
        .map(|z| z.timestamp().as_millisecond());
    midnight.map_or(8.0 * 3600.0, |m| ((m - wall_ms) as f64 / 1000.0).max(1.0))
}

impl Daemon {
    /// Records the start, applies retention and caches the last month's finished days.
    pub fn new(parts: Parts) -> Result<Daemon, DaemonError> {
        let Parts {
            source,
            clock,
            monitor,
            notifier,
            journal,
            session,
            commands,
            settings,
        } = parts;
        let source_id = source.id();
        let wall = clock.wall_ms();
        let mut d = Daemon {
            today: local_date(wall, &settings.tz),
            started: clock.now(),
            source,
            clock,
            monitor,
            notifier,
            journal,
            session,
            commands,
            settings,
            source_id,
            first_wall: None,
            last_wall: None,
            last_held_sample: None,
            last: (MonitorState::Unmeasured, None),
            samples: 0,
            alerts: 0,
            stretches_done: 0,
            trouble: None,
            notifier_down: false,
            calibration_checked: false,
            warm_at: None,
            keeper: None,
            observers: Vec::new(),
            journal_failing: false,
            frame_errors: 0,
            last_frame: None,
            quit: false,
            asleep: false,
            sight_wanted_until: f64::NEG_INFINITY,
            sight: None,
        };
        let id = d.source_id.clone();
        d.write_event(wall, EventKind::Start, &id);
        d.keeper = Some(crate::journal::keeper::Keeper::start(
            d.journal.path().to_path_buf(),
        ));
        d.housekeeping();
        Ok(d)
    }

    /// Calls `f` with every [`Update`].
    pub fn observe(&mut self, f: impl FnMut(&Update) + Send + 'static) {
        self.observers.push(Box::new(f));
    }

    pub fn journal(&mut self) -> &mut Journal {
        &mut self.journal
    }

    pub fn source_id(&self) -> &str {
        &self.source_id
    }

    /// The daemon's clock time, seconds.
    pub fn now(&self) -> f64 {
        self.clock.now()
    }

    fn emit(&mut self, u: &Update) {
        for o in &mut self.observers {
            o(u);
        }
    }

    /// Runs until `stop` is set or the source ends.
    pub fn run(&mut self, stop: &AtomicBool) -> Result<StopReason, DaemonError> {
        loop {
            if stop.load(Ordering::Relaxed) {
                return Ok(StopReason::Signal);
            }
            if let Some(reason) = self.tick()? {
                return Ok(reason);
            }
        }
    }

    /// Records the stop and hands back the journal. The source is released first (the
    /// camera closes).
    pub fn finish(mut self, reason: StopReason) -> Result<Finished, DaemonError> {
        // The keeper ends after its current step (it holds the journal briefly at most).
        if let Some(keeper) = self.keeper.take() {
            keeper.stop();
        }
        self.source.release(&*self.clock);
        let wall = self.clock.wall_ms();
        self.write_event(wall, EventKind::Stop, reason.as_str());
        let flushed = self.journal.flush();
        self.journal_result(flushed);
        if self.journal.pending() > 0 {
            tracing::error!(
                "{} journal rows could not be written before stopping",
                self.journal.pending()
            );
        }
        Ok(Finished {
            journal: self.journal,
            reason,
            samples: self.samples,
            alerts: self.alerts,
            stretches_done: self.stretches_done,
            first_wall_ms: self.first_wall,
            last_wall_ms: self.last_wall,
        })
    }

    /// One turn of the loop: commands, the session, the day, then a frame (or a held
    /// sample). Waits at most a moment. Returns why to stop, if it is time.
    pub fn tick(&mut self) -> Result<Option<StopReason>, DaemonError> {
        while let Ok(incoming) = self.commands.try_recv() {
            let reply = self.command(incoming.command)?;
            if let Some(tx) = incoming.reply {
                let _ = tx.send(reply);
            }
        }
        if self.quit {
            return Ok(Some(StopReason::Quit));
        }
        while let Some(event) = self.session.poll() {
            self.session_event(event);
        }
        while let Some(change) = self.source.sharing() {
            self.camera_sharing(change);
        }
        self.roll_day();
        if self.asleep {
            // Waits in real time, whatever the daemon's clock: the machine is suspending,
            // and only logind's word that it woke ends this.
            self.source.release(&*self.clock);
            std::thread::sleep(IDLE);
            return Ok(None);
        }
        let now = self.clock.now();
        if let Some(held) = self.monitor.hold(now) {
            // Paused or locked: no inference, and the camera is closed.
            if !self.source.release(&*self.clock) {
                return Ok(Some(StopReason::EndOfRecording));
            }
            if self.last_held_sample.is_none() {
                let wall = self.clock.wall_ms();
                self.begin_hold(now, wall);
            }
            let due = self
                .last_held_sample
                .map_or(now, |t| t + self.settings.sample_interval);
            // (Within a millisecond counts as due: a clock cannot wait for less.)
            if now >= due - 1e-3 {
                self.last_held_sample = Some(now);
                let wall = self.clock.wall_ms();
                self.record((now, wall), held, None, 0.0, None);
            } else {
                self.clock
                    .sleep(Duration::from_secs_f64(due - now).min(IDLE));
            }
            return Ok(None);
        }
        self.last_held_sample = None;
        match self.source.poll(&*self.clock, IDLE)? {
            Poll::Idle => {}
            Poll::End => return Ok(Some(StopReason::EndOfRecording)),
            Poll::Trouble(why) => self.trouble(why),
            Poll::Frame(frame) => {
                if self.trouble.take().is_some() {
                    tracing::info!("camera back");
                    self.write_event(self.clock.wall_ms(), EventKind::CameraOk, "");
                }
                self.frame(frame);
            }
        }
        Ok(None)
    }

    /// A hold (pause, lock, another app on the camera) begins at `now`: what was observed
    /// last holds until now (one sample closes it, at the same wall time as the event that
    /// began the hold), and the hold's own samples stand for the time from here.
    fn begin_hold(&mut self, now: f64, wall: i64) {
        if self.last_held_sample.is_some() {
            return;
        }
        self.last_held_sample = Some(now);
        if self.last_wall.is_some() && !self.last.0.is_held() {
            let (state, deg) = self.last;
            self.record((now, wall), state, deg, 0.0, None);
        }
    }

    fn session_event(&mut self, event: SessionEvent) {
        let wall = self.clock.wall_ms();
        match event {
            SessionEvent::Locked | SessionEvent::Unlocked => {
                let locked = event == SessionEvent::Locked;
                self.monitor.set_locked(locked);
                if locked {
                    let now = self.clock.now();
                    self.begin_hold(now, wall);
                }
                let kind = if locked {
                    EventKind::Locked
                } else {
                    EventKind::Unlocked
                };
                self.write_event(wall, kind, "");
            }
            SessionEvent::Sleeping => {
                // Close the camera before the machine sleeps and keep it closed until it
                // wakes; the first sample after waking claims none of the sleep.
                tracing::info!("the machine is going to sleep: camera closed");
                self.asleep = true;
                self.source.release(&*self.clock);
                self.last_wall = None;
                self.write_event(wall, EventKind::Sleep, "");
            }
            SessionEvent::Woke => {
                tracing::info!("the machine woke up");
                self.asleep = false;
                self.last_wall = None;
                self.write_event(wall, EventKind::Wake, "");
            }
        }
    }

    /// Another application took the camera, or gave it back. While it has it, monitoring
    /// is held as [`MonitorState::CameraInUse`] and the camera stays closed.
    fn camera_sharing(&mut self, change: Sharing) {
        let wall = self.clock.wall_ms();
        match change {
            Sharing::InUse { by } => {
                tracing::info!("{by} is using the camera; hunch lets go of it until it is free");
                self.source.release(&*self.clock);
                self.monitor.set_camera_in_use(true);
                // The last reading closes at the moment the other app took the camera.
                let now = self.clock.now();
                self.begin_hold(now, wall);
                self.write_event(wall, EventKind::CameraInUse, &by);
            }
            Sharing::Free => {
                tracing::info!("the camera is free again; monitoring goes on");
                self.monitor.set_camera_in_use(false);
                self.write_event(wall, EventKind::CameraFree, "");
            }
        }
    }

    fn trouble(&mut self, why: String) {
        if self.trouble.is_none() {
            tracing::warn!("{}: {why}; hunch keeps trying", self.source_id);
            self.write_event(self.clock.wall_ms(), EventKind::CameraError, &why);
            // A device the user can fix (plug in, free, allow); a replay's bad frame is
            // only skipped.
            if self.source.is_device() {
                self.notifier.notice(
                    "hunch cannot use the camera",
                    &format!("{why}. hunch keeps trying."),
                );
            }
        }
        self.trouble = Some(why);
    }

    fn frame(&mut self, frame: Frame) {
        if !self.calibration_checked {
            self.calibration_checked = true;
            if let Some((cal, model)) = &self.settings.calibration {
                let (w, h) = frame.image.dimensions();
                if let Some(why) = cal.mismatch(Some(&self.source_id), w, h, model) {
                    tracing::warn!("{why}");
                }
            }
        }
        // One instant for the whole frame: the policy's time and the journal's agree.
        let (now, wall) = (self.clock.now(), self.clock.wall_ms());
        let step = match self.monitor.process(&frame.image, now) {
            Ok(step) => step,
            Err(e) => {
                // One bad frame (or a hiccup of the runtime) is skipped, not fatal.
                if self.frame_errors == 0 {
                    tracing::warn!("a frame could not be analysed ({e}); skipping it");
                }
                self.frame_errors += 1;
                return;
            }
        };
        if self.frame_errors > 0 {
            tracing::info!("frames analysed again after {} failed", self.frame_errors);
            self.frame_errors = 0;
        }
        if step.blank_started {
            tracing::warn!("camera frames are dark or blank (lens covered?)");
            self.write_event(wall, EventKind::BlankFrames, "dark or covered lens");
        }
        self.samples += 1;
        self.last_frame = Some((step.sample, wall));
        self.emit(&Update::Frame {
            image: &frame.image,
            pose: step.pose.as_ref(),
        });
        self.sight = (now < self.sight_wanted_until)
            .then(|| {
                let p = crate::control::sight::Picture::of(
                    &frame.image,
                    step.pose.as_ref(),
                    crate::control::sight::PICTURE_WIDTH,
                    self.samples,
                );
                crate::control::sight::Sight::of(&p, wall)
                    .map_err(|e| tracing::debug!("no picture for the window: {e}"))
                    .ok()
            })
            .flatten();
        self.record(
            (now, wall),
            step.state,
            step.forward_deg,
            step.presence,
            Some(&step),
        );
        if let Some(alert) = step.alert {
            self.alert((now, wall), alert);
        }
        // The full sampling rate while a hunch may be forming; the steady one otherwise.
        self.source
            .set_attentive(self.monitor.policy().attentive(now));
    }

    fn alert(&mut self, (t, wall): (f64, i64), alert: Alert) {
        let last = self.journal.get_meta(LAST_STRETCH).unwrap_or_default();
        let stretch = stretches::next_after_among(last.as_deref(), &self.settings.prompt_kinds);
        let written = self.journal.set_meta(LAST_STRETCH, stretch.id);
        self.journal_result(written);
        self.alerts += 1;
        let detail = format!(
            "{} after {:.0} s, {:?}",
            stretch.id, alert.hunched_for, alert.level
        );
        self.write_event(wall, EventKind::Alert, &detail);
        match self.notifier.notify(&alert, stretch) {
            Ok(()) => self.notifier_down = false,
            Err(e) => {
                // Keep monitoring and journaling; say so once, try again next time.
                if !self.notifier_down {
                    tracing::warn!(
                        "{e}; hunch keeps monitoring and will try again at the next alert"
                    );
                    self.write_event(wall, EventKind::NotifyError, &e.to_string());
                }
                self.notifier_down = true;
            }
        }
        self.emit(&Update::Alert { t, alert, stretch });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn midnight_is_local_and_dst_aware() {
        let tz = TimeZone::get("Europe/Berlin").expect("tzdata");
        let at = |s: &str| {
            s.parse::<jiff::civil::DateTime>()
                .unwrap()
                .to_zoned(tz.clone())
                .unwrap()
                .timestamp()
                .as_millisecond()
        };
        assert_eq!(seconds_to_midnight(at("2026-11-24T23:00"), &tz), 3600.0);
        // The night clocks go back has an extra hour.
        assert_eq!(
            seconds_to_midnight(at("2026-10-25T00:00"), &tz),
            25.0 * 3600.0
        );
    }
}
