//! The tray icon: a StatusNotifierItem (with its `com.canonical.dbusmenu` menu) on the
//! session bus, part of the monitor while it runs.
//!
//! Threads: ksni serves the item on a thread of its own; a second thread, `hunch-tray`,
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

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ksni::blocking::TrayMethods;
use ksni::menu::{StandardItem, SubMenu};
use ksni::MenuItem;

use crate::control::command::{Command, Incoming, Origin, PauseFor, Reply, Status};
use crate::daemon::Update;
use crate::support::human::{clock_time, duration, percent, short_duration};
use crate::vocab::MonitorState;
pub use icons::Face;

/// Without a nudge, the status is asked for this often (today's share in the tooltip).
const REFRESH: Duration = Duration::from_secs(60);
/// At most one status request this often, however fast the state changes (replays).
const MIN_GAP: Duration = Duration::from_millis(250);
/// How long to wait for the monitor's answer.
const ANSWER: Duration = Duration::from_secs(5);

/// What a menu item asks for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Action {
    Pause(PauseFor),
    Resume,
    Recalibrate,
    Report,
    Headache(u8),
    Quit,
}

/// The intensities offered under "Log a headache" (the diary's 0–10 scale).
pub const HEADACHE_INTENSITIES: [(u8, &str); 3] = [
    (3, "Mild (3/10)"),
    (5, "Moderate (5/10)"),
    (8, "Severe (8/10)"),
];

impl Action {
    /// The command this item sends to the monitor; `None` for the two that are not
    /// monitor commands (the report, recalibration).
    pub fn command(self) -> Option<Command> {
        match self {
            Action::Pause(length) => Some(Command::Pause { length }),
            Action::Resume => Some(Command::Resume),
            Action::Headache(intensity) => Some(Command::Headache { intensity }),
            Action::Quit => Some(Command::Quit),
            Action::Recalibrate | Action::Report => None,
        }
    }
}

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
    /// The hunch executable, run in a terminal for "Recalibrate…".
    pub exe: PathBuf,
}

/// The icon for a status (or for none yet).
pub fn face(status: Option<&Status>) -> Face {
    let Some(s) = status else {
        return Face::Unmeasured;
    };
    match s.now.state {
        MonitorState::Upright => Face::Upright,
        MonitorState::Hunching => Face::Hunching,
        MonitorState::Hunched => Face::Hunched,
        MonitorState::Paused | MonitorState::Locked => Face::Paused,
        MonitorState::Away => Face::Away,
        MonitorState::CameraInUse => Face::CameraInUse,
        MonitorState::Unmeasured => Face::Unmeasured,
    }
}

/// The tooltip: a title saying what hunch sees now, and today's figures.
pub fn tooltip(status: Option<&Status>) -> (String, String) {
    let Some(s) = status else {
        return ("hunch is starting".into(), String::new());
    };
    let mut title = format!("hunch: {}", crate::support::human::state(s.now.state));
    match (
        s.now.state,
        s.now.paused_until_ms,
        s.now.live.hunching_for_s,
    ) {
        (MonitorState::Paused, Some(ms), _) => title += &format!(" until {}", clock_time(ms)),
        (MonitorState::Paused, None, _) if s.now.paused => title += " until resumed",
        (MonitorState::Hunching | MonitorState::Hunched, _, Some(t)) => {
            title += &format!(" for {}", short_duration(t.round()))
        }
        _ => {}
    }
    let mut lines = vec![if s.today_monitored_s > 0.0 {
        format!(
            "Today {} hunched ({} of {} at the desk)",
            percent(s.today_hunched_share),
            duration(s.today_hunched_s),
            duration(s.today_monitored_s)
        )
    } else {
        "Today: nothing measured yet".to_string()
    }];
    if let Some(ms) = s.now.snoozed_until_ms {
        lines.push(format!("Alerts snoozed until {}", clock_time(ms)));
    }
    if let Some(why) = &s.now.source_trouble {
        lines.push(format!("Camera: {why}"));
    }
    (title, lines.join("\n"))
}

/// Nudges for the `hunch-tray` thread.
enum Nudge {
    /// The state may have changed: ask for the status.
    Changed,
    /// A menu item's command is on its way; its answer comes here.
    Answer(Action, Receiver<Reply>),
    Stop,
}

/// The item as ksni serves it.
struct Item {
    status: Option<Status>,
    commands: Sender<Incoming>,
    nudges: Sender<Nudge>,
    options: Arc<TrayOptions>,
    offline_said: AtomicBool,
}

impl Item {
    fn act(&mut self, action: Action) {
        match action.command() {
            Some(command) => {
                let (tx, rx) = channel();
                let sent = self.commands.send(Incoming {
                    command,
                    origin: Origin::Tray,
                    reply: Some(tx),
                });
                if sent.is_ok() {
                    let _ = self.nudges.send(Nudge::Answer(action, rx));
                }
            }
            None => {
                let options = Arc::clone(&self.options);
                let _ = std::thread::Builder::new()
                    .name("hunch-tray-action".into())
                    .spawn(move || {
                        let done = match action {
                            Action::Report => open_report(&options),
                            _ => recalibrate(&options.exe),
                        };
                        if let Err(e) = done {
                            tracing::warn!("{e}");
                            crate::notify::notice("hunch", &e);
                        }
                    });
            }
        }
    }
}

fn item(label: &str, action: Action) -> MenuItem<Item> {
    StandardItem {
        label: label.into(),
        activate: Box::new(move |t: &mut Item| t.act(action)),
        ..Default::default()
    }
    .into()
}

fn note(label: String) -> MenuItem<Item> {
    StandardItem {
        label,
        enabled: false,
        ..Default::default()
    }
    .into()
}

impl ksni::Tray for Item {
    fn id(&self) -> String {
        "hunch".into()
    }

    fn title(&self) -> String {
        "hunch".into()
    }

    fn category(&self) -> ksni::Category {
        ksni::Category::ApplicationStatus
    }

    fn status(&self) -> ksni::Status {
        match face(self.status.as_ref()) {
            Face::Hunched => ksni::Status::NeedsAttention,
            _ => ksni::Status::Active,
        }
    }

    fn icon_pixmap(&self) -> Vec<ksni::Icon> {
        pixmaps(face(self.status.as_ref()))
    }

    fn attention_icon_pixmap(&self) -> Vec<ksni::Icon> {
        pixmaps(Face::Hunched)
    }

    fn tool_tip(&self) -> ksni::ToolTip {
        let (title, description) = tooltip(self.status.as_ref());
        ksni::ToolTip {
            title,
            description,
            ..Default::default()
        }
    }

    fn menu(&self) -> Vec<MenuItem<Self>> {
        let (title, description) = tooltip(self.status.as_ref());
        let held = self
            .status
            .as_ref()
            .is_some_and(|s| s.now.paused || s.now.snoozed_until_ms.is_some());
        let mut menu = vec![note(title)];
        menu.extend(description.lines().map(|l| note(l.to_string())));
        menu.extend([
            MenuItem::Separator,
            item("Pause for 30 min", Action::Pause(PauseFor::Seconds(1800.0))),
            item("Pause for 1 h", Action::Pause(PauseFor::Seconds(3600.0))),
            item("Pause for today", Action::Pause(PauseFor::Today)),
            StandardItem {
                label: "Resume".into(),
                enabled: held,
                activate: Box::new(|t: &mut Item| t.act(Action::Resume)),
                ..Default::default()
            }
            .into(),
            MenuItem::Separator,
            item("Recalibrate…", Action::Recalibrate),
            item("Today's report", Action::Report),
            SubMenu {
                label: "Log a headache".into(),
                submenu: HEADACHE_INTENSITIES
                    .iter()
                    .map(|(i, label)| item(label, Action::Headache(*i)))
                    .collect(),
                ..Default::default()
            }
            .into(),
            MenuItem::Separator,
            item("Quit hunch", Action::Quit),
        ]);
        menu
    }

    fn watcher_online(&self) {
        tracing::info!("a system tray appeared: showing the tray icon");
    }

    fn watcher_offline(&self, reason: ksni::OfflineReason) -> bool {
        if self.offline_said.swap(true, Ordering::Relaxed) {
            tracing::debug!("no system tray ({reason:?})");
        } else {
            tracing::info!(
                "no system tray on this desktop (no StatusNotifierWatcher); the icon appears if one starts"
            );
        }
        // Keep the item: it registers when a watcher appears.
        true
    }
}

fn pixmaps(f: Face) -> Vec<ksni::Icon> {
    icons::SIZES
        .iter()
        .map(|&n| ksni::Icon {
            width: n as i32,
            height: n as i32,
            data: icons::pixmap(f, n),
        })
        .collect()
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
        let item = Item {
            status: None,
            commands: commands.clone(),
            nudges: nudges.clone(),
            options: Arc::new(options),
            offline_said: AtomicBool::new(false),
        };
        let handle = match item.assume_sni_available(true).spawn() {
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
    /// (except the status requests themselves) nudge the tray.
    pub fn observer(&self) -> impl FnMut(&Update) + Send + 'static {
        let nudges = self.nudges.clone();
        let mut last = None;
        move |u| {
            let changed = match u {
                Update::Sample { state, .. } => last.replace(*state) != Some(*state),
                Update::Command { command, .. } => {
                    !matches!(command, Command::Status | Command::Live)
                }
                Update::Alert { .. } => false,
            };
            if changed {
                let _ = nudges.send(Nudge::Changed);
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
    handle: ksni::blocking::Handle<Item>,
    commands: Sender<Incoming>,
    nudges: Receiver<Nudge>,
) {
    let mut last_ask: Option<Instant> = None;
    loop {
        match nudges.recv_timeout(REFRESH) {
            Ok(Nudge::Stop) | Err(RecvTimeoutError::Disconnected) => break,
            Ok(Nudge::Answer(action, reply)) => answered(action, &reply),
            Ok(Nudge::Changed) | Err(RecvTimeoutError::Timeout) => {}
        }
        if let Some(t) = last_ask {
            std::thread::sleep(MIN_GAP.saturating_sub(t.elapsed()));
        }
        // Everything that queued meanwhile is answered by this one status.
        let mut stop = false;
        while let Ok(n) = nudges.try_recv() {
            match n {
                Nudge::Stop => stop = true,
                Nudge::Answer(action, reply) => answered(action, &reply),
                Nudge::Changed => {}
            }
        }
        if stop {
            break;
        }
        last_ask = Some(Instant::now());
        let (tx, rx) = channel();
        let asked = commands.send(Incoming {
            command: Command::Status,
            origin: Origin::Tray,
            reply: Some(tx),
        });
        if asked.is_err() {
            break;
        }
        match rx.recv_timeout(ANSWER) {
            Ok(Reply::Status(s)) => {
                if handle.update(|item| item.status = Some(*s)).is_none() {
                    break;
                }
            }
            Ok(_) => {}
            Err(RecvTimeoutError::Timeout) => tracing::debug!("tray: no status in time"),
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    handle.shutdown().wait();
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

/// Writes today's HTML report (read-only on the journal, like `hunch report --html`) to
/// `options.report_path`, 0600, and opens it.
pub fn open_report(options: &TrayOptions) -> Result<(), String> {
    write_today_report(options)?;
    open_file(&options.report_path)
}

/// Writes today's HTML report to `options.report_path` (0600).
pub fn write_today_report(options: &TrayOptions) -> Result<(), String> {
    let why = |e: &dyn std::fmt::Display| format!("today's report could not be written: {e}");
    let journal = crate::journal::Journal::open_read_only(&options.journal).map_err(|e| why(&e))?;
    let tz = &options.page.tz;
    let today = jiff::Zoned::now().with_time_zone(tz.clone()).date();
    let html = crate::report::pages::html_page(&journal, today, today, &options.page, options.goal)
        .map_err(|e| why(&e))?;
    crate::support::paths::write_private(&options.report_path, html.as_bytes()).map_err(|e| why(&e))
}

/// Opens `path` with the desktop's handler: `xdg-open`, else `gio open`.
fn open_file(path: &Path) -> Result<(), String> {
    let openers: [(&str, &[&str]); 2] = [("xdg-open", &[]), ("gio", &["open"])];
    for (program, args) in openers {
        match std::process::Command::new(program)
            .args(args)
            .arg(path)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
        {
            Ok(s) if s.success() => return Ok(()),
            Ok(s) => return Err(format!("{program} could not open {}: {s}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(format!("{program}: {e}")),
        }
    }
    Err(format!(
        "today's report is at {} (neither xdg-open nor gio is installed to open it)",
        path.display()
    ))
}

/// Opens a terminal running `hunch calibrate` (which pauses the monitor while it uses the
/// camera, then has it reload the profile and resume), and keeps the terminal open until
/// Enter so its verdict can be read. Tries `$TERMINAL`, then the usual emulators.
fn recalibrate(exe: &Path) -> Result<(), String> {
    let script = r#""$0" calibrate; printf '\nPress Enter to close. '; read _"#;
    let from_env = std::env::var("TERMINAL").ok().filter(|t| !t.is_empty());
    let mut terminals: Vec<(String, &str)> = from_env.into_iter().map(|t| (t, "-e")).collect();
    terminals.extend(
        [
            ("x-terminal-emulator", "-e"),
            ("gnome-terminal", "--"),
            ("konsole", "-e"),
            ("xfce4-terminal", "-x"),
            ("xterm", "-e"),
        ]
        .map(|(t, flag)| (t.to_string(), flag)),
    );
    for (terminal, flag) in terminals {
        let spawned = std::process::Command::new(&terminal)
            .args([flag, "sh", "-c", script])
            .arg(exe)
            .stdin(std::process::Stdio::null())
            .spawn();
        match spawned {
            Ok(mut child) => {
                let _ = child.wait();
                return Ok(());
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(format!("{terminal}: {e}")),
        }
    }
    Err("no terminal found to recalibrate in: run `hunch calibrate` in one".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn menu_actions_are_the_monitor_commands() {
        assert_eq!(
            Action::Pause(PauseFor::Seconds(1800.0)).command(),
            Some(Command::Pause {
                length: PauseFor::Seconds(1800.0)
            })
        );
        assert_eq!(Action::Resume.command(), Some(Command::Resume));
        assert_eq!(
            Action::Headache(5).command(),
            Some(Command::Headache { intensity: 5 })
        );
        assert_eq!(Action::Quit.command(), Some(Command::Quit));
        assert_eq!(Action::Report.command(), None);
        assert_eq!(Action::Recalibrate.command(), None);
        for (i, _) in HEADACHE_INTENSITIES {
            assert!(Action::Headache(i).command().unwrap().validate().is_ok());
        }
    }

    fn status(state: MonitorState) -> Status {
        Status {
            now: crate::control::command::LiveStatus {
                state,
                forward_deg: None,
                paused_until_ms: None,
                paused: false,
                snoozed_until_ms: None,
                source: "camera".into(),
                source_trouble: None,
                live: Default::default(),
            },
            samples: 0,
            alerts: 0,
            stretches_done: 0,
            uptime_seconds: 0.0,
            today_monitored_s: 0.0,
            today_hunched_s: 0.0,
            today_hunched_share: None,
            today_camera_open_s: 0.0,
            today_camera_in_use_s: 0.0,
        }
    }

    #[test]
    fn every_state_has_its_icon_and_words() {
        use MonitorState as M;
        let cases = [
            (M::Upright, Face::Upright, "hunch: upright"),
            (M::Hunching, Face::Hunching, "hunch: hunching"),
            (M::Hunched, Face::Hunched, "hunch: hunched"),
            (M::Paused, Face::Paused, "hunch: paused"),
            (M::Locked, Face::Paused, "hunch: screen locked"),
            (M::Away, Face::Away, "hunch: away"),
            (
                M::CameraInUse,
                Face::CameraInUse,
                "hunch: camera in use by another app",
            ),
            (M::Unmeasured, Face::Unmeasured, "hunch: not measurable"),
        ];
        for (state, want_face, want_title) in cases {
            let s = status(state);
            assert_eq!(face(Some(&s)), want_face, "{state:?}");
            let (title, today) = tooltip(Some(&s));
            assert_eq!(title, want_title);
            assert_eq!(today, "Today: nothing measured yet");
        }
        assert_eq!(face(None), Face::Unmeasured);
        assert_eq!(tooltip(None).0, "hunch is starting");

        let mut s = status(MonitorState::Hunched);
        s.now.live.hunching_for_s = Some(200.0);
        s.today_monitored_s = 3600.0;
        s.today_hunched_s = 900.0;
        s.today_hunched_share = Some(0.25);
        s.now.source_trouble = Some("the camera is busy".into());
        let (title, today) = tooltip(Some(&s));
        assert_eq!(title, "hunch: hunched for 3 min 20 s");
        assert_eq!(
            today,
            "Today 25% hunched (15 min 00 s of 1 h 00 min at the desk)\nCamera: the camera is busy"
        );
        let mut s = status(MonitorState::Paused);
        s.now.paused = true;
        assert_eq!(tooltip(Some(&s)).0, "hunch: paused until resumed");
    }
}
