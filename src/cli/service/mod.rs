//! `hunch service`: starting hunch at login, the system's own way — a systemd user unit
//! (or the XDG autostart entry) on Linux, the user's `Run` key on Windows, a LaunchAgent
//! on macOS. One file per system.

use std::process::ExitCode;

use clap::Subcommand;

#[cfg_attr(target_os = "linux", path = "linux.rs")]
#[cfg_attr(windows, path = "windows.rs")]
#[cfg_attr(target_os = "macos", path = "macos.rs")]
pub(crate) mod system;

#[derive(Debug, Subcommand)]
pub enum ServiceCommand {
    /// Start this hunch at every login: on Linux write ~/.config/systemd/user/hunch.service
    /// (a packaged hunch already has one: then this only says how to enable it); on
    /// Windows the user's Run key; on macOS a LaunchAgent.
    Install,
    /// Undo `hunch service install`.
    Uninstall,
    /// What the XDG autostart entry runs at login: `hunch run`, unless the user service
    /// runs hunch in this session or there is no calibration yet. (Internal: the desktop
    /// runs it, not a person.)
    #[command(hide = true)]
    Autostart,
}

pub fn run(cmd: ServiceCommand) -> anyhow::Result<ExitCode> {
    system::run(cmd)
}
