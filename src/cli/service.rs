//! `hunch service install|uninstall`: the systemd user unit.

use std::path::PathBuf;
use std::process::{Command, ExitCode};

use anyhow::Context;
use clap::Subcommand;

const UNIT: &str = include_str!("../../scripts/systemd/hunch.service");

#[derive(Debug, Subcommand)]
pub enum ServiceCommand {
    /// Write ~/.config/systemd/user/hunch.service for this hunch binary.
    Install,
    /// Stop and remove the unit.
    Uninstall,
}

fn unit_path() -> anyhow::Result<PathBuf> {
    Ok(hunch::paths::systemd_user_dir()?.join("hunch.service"))
}

/// Runs `systemctl --user ARGS`, returning whether it worked (it may be absent).
fn systemctl(args: &[&str]) -> bool {
    Command::new("systemctl")
        .arg("--user")
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

pub fn run(cmd: ServiceCommand) -> anyhow::Result<ExitCode> {
    let path = unit_path()?;
    match cmd {
        ServiceCommand::Install => {
            let exe = std::env::current_exe().context("cannot find the hunch binary's path")?;
            let exe = exe.to_string_lossy();
            if exe.contains(char::is_whitespace) {
                anyhow::bail!(
                    "the hunch binary's path contains spaces ({exe}); install it somewhere without"
                );
            }
            let unit = UNIT.replace("@HUNCH@", &exe);
            let dir = path.parent().context("unit path has no parent")?;
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            std::fs::write(&path, unit)
                .with_context(|| format!("cannot write {}", path.display()))?;
            outln!("wrote {}", path.display());
            if systemctl(&["daemon-reload"]) {
                outln!("start it now and at every login with: systemctl --user enable --now hunch");
            } else {
                outln!("systemctl --user is not available here; with systemd, run: systemctl --user enable --now hunch");
            }
        }
        ServiceCommand::Uninstall => {
            if !path.exists() {
                outln!("no unit at {}; nothing to do", path.display());
                return Ok(ExitCode::SUCCESS);
            }
            systemctl(&["disable", "--now", "hunch"]);
            std::fs::remove_file(&path)
                .with_context(|| format!("cannot remove {}", path.display()))?;
            systemctl(&["daemon-reload"]);
            outln!("removed {}", path.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
