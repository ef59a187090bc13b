//! The tray on Linux: a StatusNotifierItem with its `com.canonical.dbusmenu` menu, served
//! on the session bus by ksni (on a thread of its own), drawn from the tray's view
//! ([`crate::tray`]).
//!
//! Without a tray host: when the session bus has no `org.kde.StatusNotifierWatcher`, the
//! item waits quietly (one info line) and registers when a watcher appears (a panel
//! started after hunch); without a session bus there is no tray (one info line).

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Sender};
use std::sync::Arc;

use ksni::blocking::TrayMethods;
use ksni::menu::{StandardItem, SubMenu};
use ksni::MenuItem;

use crate::control::command::{Incoming, Origin, PauseFor, Status};
use crate::tray::write_today_report;
use crate::tray::{face, icons, tooltip, Action, Face, Nudge, TrayOptions, HEADACHE_INTENSITIES};

/// The item as ksni serves it.
struct Item {
    status: Option<Status>,
    commands: Sender<Incoming>,
    nudges: Sender<Nudge>,
    options: Arc<TrayOptions>,
    offline_said: AtomicBool,
}

/// The item on the bus.
pub struct Host {
    handle: ksni::blocking::Handle<Item>,
}

impl Host {
    /// Serves the item, or says why not (no session bus).
    pub fn start(
        commands: Sender<Incoming>,
        nudges: Sender<Nudge>,
        options: Arc<TrayOptions>,
    ) -> Result<Host, String> {
        let item = Item {
            status: None,
            commands,
            nudges,
            options,
            offline_said: AtomicBool::new(false),
        };
        item.assume_sni_available(true)
            .spawn()
            .map(|handle| Host { handle })
            .map_err(|e| e.to_string())
    }

    /// Draws `status`; false once the item is gone.
    pub fn show(&self, status: Status) -> bool {
        self.handle
            .update(|item| item.status = Some(status))
            .is_some()
    }

    /// Takes the item off the bus.
    pub fn shutdown(self) {
        self.handle.shutdown().wait();
    }
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

/// Writes today's HTML report to `options.report_path` (0600) and opens it.
fn open_report(options: &TrayOptions) -> Result<(), String> {
    write_today_report(options)?;
    open_file(&options.report_path)
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
