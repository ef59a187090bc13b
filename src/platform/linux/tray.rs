//! The tray on Linux: a StatusNotifierItem with its `com.canonical.dbusmenu` menu, served
//! on the session bus by ksni (on a thread of its own), drawn from the tray's view
//! ([`crate::tray`]).
//!
//! Without a tray host: when the session bus has no `org.kde.StatusNotifierWatcher`, the
//! item waits quietly (one info line) and registers when a watcher appears (a panel
//! started after hunch); without a session bus there is no tray (one info line).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::Arc;

use ksni::blocking::TrayMethods;
use ksni::menu::{StandardItem, SubMenu};
use ksni::MenuItem;

use crate::control::command::{Incoming, Status};
use crate::tray::{carry_out, face, icons, menu, tooltip, Action, Entry, Face, Nudge, TrayOptions};

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
        carry_out(action, &self.commands, &self.nudges, &self.options);
    }
}

/// One line of the tray's menu ([`crate::tray::menu`]) as ksni draws it.
fn entry(e: Entry) -> MenuItem<Item> {
    match e {
        Entry::Note(label) => StandardItem {
            label,
            enabled: false,
            ..Default::default()
        }
        .into(),
        Entry::Separator => MenuItem::Separator,
        Entry::Item {
            label,
            action,
            enabled,
        } => StandardItem {
            label: label.into(),
            enabled,
            activate: Box::new(move |t: &mut Item| t.act(action)),
            ..Default::default()
        }
        .into(),
        Entry::Submenu { label, entries } => SubMenu {
            label: label.into(),
            submenu: entries.into_iter().map(entry).collect(),
            ..Default::default()
        }
        .into(),
    }
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

    /// A left click on the icon opens the window (the menu is on the right button).
    fn activate(&mut self, _x: i32, _y: i32) {
        self.act(Action::Open);
    }

    /// A middle click, too: panels differ in which they send.
    fn secondary_activate(&mut self, _x: i32, _y: i32) {
        self.act(Action::Open);
    }

    fn menu(&self) -> Vec<MenuItem<Self>> {
        menu(self.status.as_ref()).into_iter().map(entry).collect()
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
