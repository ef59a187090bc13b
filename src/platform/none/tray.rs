//! No tray where hunch has no tray binding (yet): the monitor runs without an icon, and
//! says so once.

use std::sync::mpsc::Sender;
use std::sync::Arc;

use crate::control::command::{Incoming, Status};
use crate::tray::{Nudge, TrayOptions};

pub struct Host;

impl Host {
    pub fn start(
        _commands: Sender<Incoming>,
        _nudges: Sender<Nudge>,
        _options: Arc<TrayOptions>,
    ) -> Result<Host, String> {
        Err("hunch has no tray icon on this system yet".into())
    }

    pub fn show(&self, _status: Status) -> bool {
        false
    }

    pub fn shutdown(self) {}
}
