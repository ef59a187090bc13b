//! The tray item as ksni serves it on the session bus: a StatusNotifierItem with its
//! `com.canonical.dbusmenu` menu, drawn from the view ([`super::view`]).

use ksni::menu::{StandardItem, SubMenu};
use ksni::MenuItem;

use super::launch::recalibrate;
use super::view::{face, tooltip, Action, HEADACHE_INTENSITIES};
use super::*;

/// The item as ksni serves it.
pub(super) struct Item {
    pub(super) status: Option<Status>,
    pub(super) commands: Sender<Incoming>,
    pub(super) nudges: Sender<Nudge>,
    pub(super) options: Arc<TrayOptions>,
    pub(super) offline_said: AtomicBool,
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
