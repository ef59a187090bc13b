//! The tray icon, part of the monitor while it runs: what it shows and offers is drawn
//! here ([`view`]: the face, the tooltip, the menu); each system's tray draws it
//! ([`crate::platform::tray`]: a StatusNotifierItem on Linux, a notification-area icon on
//! Windows).
//!
//! Threads: the system's tray runs on a thread of its own; a second thread, `hunch-tray`,
//! keeps it current. The daemon's observer ([`Tray::observer`]) nudges that thread when
//! the state changes or a command was carried out; the thread then asks the monitor for
//! its [`Status`] — through the same command channel as the control socket and the
//! notification buttons — and the icon, tooltip and menu are drawn from that one status.
//! Without a nudge it refreshes once a minute (today's share in the tooltip).
//!
//! Menu items become [`Command`]s with [`Origin::Tray`] on that channel: one meaning per
//! command, carried out by the daemon ([`Action::command`]). Two items are not commands
//! to the monitor: "Today's report" writes the HTML report (read-only, like `hunch
//! report`) to the runtime directory and opens it, and "Recalibrate…" opens a terminal
//! running `hunch calibrate`, which pauses the monitor while it uses the camera, then
//! has it reload the new profile and resume.
//!
//! Without a tray host: when the session bus has no `org.kde.StatusNotifierWatcher`, the
//! item waits quietly (one info line) and registers when a watcher appears (a panel
//! started after hunch); without a session bus there is no tray (one info line).

pub mod icons;
pub(crate) mod launch;
pub(crate) mod view;

pub use launch::write_today_report;
pub use view::{face, menu, tooltip, Action, Entry, HEADACHE_INTENSITIES};

use std::path::PathBuf;
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::control::command::{Command, Incoming, Origin, Reply, Status};
use crate::daemon::Update;
pub use icons::Face;

/// Without a nudge, the status is asked for this often (today's share in the tooltip).
const REFRESH: Duration = Duration::from_secs(60);
/// At most one status request this often, however fast the state changes (replays).
const MIN_GAP: Duration = Duration::from_millis(250);
/// How long to wait for the monitor's answer.
const ANSWER: Duration = Duration::from_secs(5);

/// What the tray needs besides the command channel.
#[derive(Debug, Clone)]
pub struct TrayOptions {
    /// The monitor's journal, read (never written) for "Today's report".
    pub journal: PathBuf,
    /// The zone and the thresholds the report page is drawn with.
    pub page: crate::report::render::html::Context,
    /// `[report] goal_hunched_share`, for the report.
    pub goal: f64,
    /// Where "Today's report" is written (the runtime directory).
    pub report_path: PathBuf,
    /// The hunch executable: `hunch window` for "Open hunch…" and a click on the icon,
    /// `hunch calibrate` in a terminal for "Recalibrate…".
    pub exe: PathBuf,
}

/// Nudges for the `hunch-tray` thread.
pub enum Nudge {
    /// The state may have changed: ask for the status.
    Changed,
    /// A sample while the hunch timer runs: ask for the live view (no journal read) so
    /// the tooltip's "hunched for …" stays current.
    Tick,
    /// A menu item's command is on its way; its answer comes here.
    Answer(Action, Receiver<Reply>),
    Stop,
}

/// The running tray: hand [`Tray::observer`] to the daemon, [`Tray::stop`] at the end.
pub struct Tray {
    nudges: Sender<Nudge>,
}

impl Tray {
    /// Serves the item on the session bus, or returns `None` (with one info line) when
    /// there is no session bus. `commands` is the daemon's command channel.
    pub fn spawn(commands: Sender<Incoming>, options: TrayOptions) -> Option<Tray> {
        let (nudges, rx) = channel();
        let host =
            crate::platform::tray::Host::start(commands.clone(), nudges.clone(), Arc::new(options));
        let handle = match host {
            Ok(h) => h,
            Err(e) => {
                tracing::info!("no tray icon: {e}");
                return None;
            }
        };
        let spawned = std::thread::Builder::new()
            .name("hunch-tray".into())
            .spawn(move || keep_current(handle, commands, rx));
        if let Err(e) = spawned {
            tracing::info!("no tray icon: {e}");
            return None;
        }
        let _ = nudges.send(Nudge::Changed);
        Some(Tray { nudges })
    }

    /// What the daemon calls with every update: state changes and carried-out commands
    /// (except the status requests themselves) nudge the tray; so does every sample while
    /// a hunch is timed (the tooltip says for how long).
    pub fn observer(&self) -> impl FnMut(&Update) + Send + 'static {
        let nudges = self.nudges.clone();
        let mut last = None;
        move |u| {
            let nudge = match u {
                Update::Sample { state, .. } if last.replace(*state) != Some(*state) => {
                    Some(Nudge::Changed)
                }
                Update::Sample { state, .. } if state.is_hunched() => Some(Nudge::Tick),
                Update::Command { command, .. }
                    if !matches!(command, Command::Status | Command::Live) =>
                {
                    Some(Nudge::Changed)
                }
                _ => None,
            };
            if let Some(n) = nudge {
                let _ = nudges.send(n);
            }
        }
    }

    /// Takes the item off the bus (the thread ends on its own once the monitor is gone).
    pub fn stop(self) {
        let _ = self.nudges.send(Nudge::Stop);
    }
}

/// The `hunch-tray` thread: asks the monitor for its status when nudged (or once a
/// minute) and redraws the item from it.
fn keep_current(
    handle: crate::platform::tray::Host,
    commands: Sender<Incoming>,
    nudges: Receiver<Nudge>,
) {
    let mut last_ask: Option<Instant> = None;
    // The last full status: a tick refreshes only its live part.
    let mut shown: Option<Status> = None;
    loop {
        // A full status unless only ticks came (and there is a status to refresh).
        let mut full = match nudges.recv_timeout(REFRESH) {
            Ok(Nudge::Stop) | Err(RecvTimeoutError::Disconnected) => break,
            Ok(Nudge::Answer(action, reply)) => {
                answered(action, &reply);
                true
            }
            Ok(Nudge::Tick) => false,
            Ok(Nudge::Changed) | Err(RecvTimeoutError::Timeout) => true,
        };
        if let Some(t) = last_ask {
            std::thread::sleep(MIN_GAP.saturating_sub(t.elapsed()));
        }
        // Everything that queued meanwhile is answered by this one request.
        let mut stop = false;
        while let Ok(n) = nudges.try_recv() {
            match n {
                Nudge::Stop => stop = true,
                Nudge::Answer(action, reply) => {
                    answered(action, &reply);
                    full = true;
                }
                Nudge::Changed => full = true,
                Nudge::Tick => {}
            }
        }
        if stop {
            break;
        }
        last_ask = Some(Instant::now());
        let (tx, rx) = channel();
        let asked = commands.send(Incoming {
            command: if full || shown.is_none() {
                Command::Status
            } else {
                Command::Live
            },
            origin: Origin::Tray,
            reply: Some(tx),
        });
        if asked.is_err() {
            break;
        }
        let answer = match rx.recv_timeout(ANSWER) {
            Ok(Reply::Status(s)) => Some(*s),
            Ok(Reply::Live(live)) => shown.take().map(|mut s| {
                s.now = *live;
                s
            }),
            Ok(_) => None,
            Err(RecvTimeoutError::Timeout) => {
                tracing::debug!("tray: no status in time");
                None
            }
            Err(RecvTimeoutError::Disconnected) => break,
        };
        if let Some(s) = answer {
            if !handle.show(s.clone()) {
                break;
            }
            shown = Some(s);
        }
    }
    handle.shutdown();
}

/// Waits for the monitor's answer to a menu item's command: logged, and shown when it
/// went wrong (or, for a headache, to say it was logged and how to add details).
fn answered(action: Action, reply: &Receiver<Reply>) {
    match reply.recv_timeout(ANSWER) {
        Ok(Reply::Error { message }) => {
            tracing::warn!("tray: {message}");
            crate::notify::notice("hunch", &message);
        }
        Ok(Reply::Ok { message }) => {
            tracing::info!("tray: {message}");
            if let Action::Headache(_) = action {
                crate::notify::notice("hunch", &message);
            }
        }
        Ok(_) => {}
        Err(_) => tracing::warn!("tray: the monitor did not answer {action:?}"),
    }
}

/// Carries out a menu item: a command to the monitor (its answer is awaited on the
/// `hunch-tray` thread), or, on a thread of its own, today's report opened with the
/// desktop's handler or a terminal running `hunch calibrate`.
/// Starts `hunch window` (a process of its own: closing it leaves the monitor running).
fn open_window(exe: &std::path::Path) -> Result<(), String> {
    std::process::Command::new(exe)
        .arg("window")
        .stdin(std::process::Stdio::null())
        .spawn()
        .map(drop)
        .map_err(|e| format!("could not open hunch's window ({e}): run `hunch window`"))
}

pub fn carry_out(
    action: Action,
    commands: &Sender<Incoming>,
    nudges: &Sender<Nudge>,
    options: &Arc<TrayOptions>,
) {
    match action.command() {
        Some(command) => {
            let (tx, rx) = channel();
            let sent = commands.send(Incoming {
                command,
                origin: Origin::Tray,
                reply: Some(tx),
            });
            if sent.is_ok() {
                let _ = nudges.send(Nudge::Answer(action, rx));
            }
        }
        None => {
            let options = Arc::clone(options);
            let _ = std::thread::Builder::new()
                .name("hunch-tray-action".into())
                .spawn(move || {
                    let done = match action {
                        Action::Open => open_window(&options.exe),
                        Action::Report => write_today_report(&options).and_then(|()| {
                            crate::platform::desktop::open_file(&options.report_path)
                        }),
                        _ => crate::platform::desktop::recalibrate(&options.exe),
                    };
                    if let Err(e) = done {
                        tracing::warn!("{e}");
                        crate::notify::notice("hunch", &e);
                    }
                });
        }
    }
}
