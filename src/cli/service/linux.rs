//! `hunch service` on Linux: `install|uninstall` write and remove the systemd user unit;
//! `autostart` is what the XDG autostart entry runs at login.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::Context;

use super::ServiceCommand;

const UNIT: &str = include_str!("../../../scripts/systemd/hunch.service");

fn unit_path() -> anyhow::Result<PathBuf> {
    Ok(hunch::support::paths::systemd_user_dir()?.join("hunch.service"))
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

/// The program a unit file starts (`ExecStart=PROGRAM run` → PROGRAM).
pub fn unit_program(unit: &Path) -> Option<PathBuf> {
    let text = std::fs::read_to_string(unit).ok()?;
    text.lines()
        .find_map(|l| l.trim().strip_prefix("ExecStart="))
        .and_then(|cmd| cmd.split_whitespace().next())
        .map(|p| PathBuf::from(p.trim_start_matches(['-', '@', ':', '+', '!'])))
}

/// The packaged unit (one a package or an administrator installed), if any.
fn packaged_unit() -> Option<PathBuf> {
    let own = unit_path().ok();
    hunch::support::paths::user_unit_files()
        .into_iter()
        .find(|f| Some(f) != own.as_ref())
}

/// Whether `exe` is a build in a source tree (`…/target/release/hunch`): a unit pointing
/// there breaks after `cargo clean` or when the checkout moves.
fn in_build_tree(exe: &Path) -> bool {
    let parts: Vec<_> = exe.components().map(|c| c.as_os_str()).collect();
    parts.windows(2).any(|w| {
        w[0] == "target" && ["release", "debug"].iter().any(|p| w[1] == *p)
            || w[0] == "release" && w[1] == "deps"
            || w[0] == "debug" && w[1] == "deps"
    })
}

pub fn run(cmd: ServiceCommand) -> anyhow::Result<ExitCode> {
    let path = unit_path()?;
    match cmd {
        ServiceCommand::Install => {
            let exe = std::env::current_exe().context("cannot find the hunch binary's path")?;
            if let Some(packaged) = packaged_unit() {
                if unit_program(&packaged).as_deref() == Some(exe.as_path()) {
                    outln!(
                        "the hunch package already installed a user unit for this binary: {}",
                        packaged.display()
                    );
                    if path.exists() {
                        outln!(
                            "your own {} takes its place; `hunch service uninstall` removes it",
                            path.display()
                        );
                    }
                    outln!(
                        "start it now and at every login with: systemctl --user enable --now hunch"
                    );
                    return Ok(ExitCode::SUCCESS);
                }
                outln!(
                    "note: a packaged unit exists ({}); the one written now, for {}, takes its place for you",
                    packaged.display(),
                    exe.display()
                );
            }
            if in_build_tree(&exe) {
                eprintln!(
                    "hunch: warning: {} is a build in a source tree; this unit stops working after `cargo clean` or when the checkout moves: install hunch (README, \"Install\") and run `hunch service install` from the installed one",
                    exe.display()
                );
            }
            let exe = exe.to_string_lossy();
            if exe.contains(char::is_whitespace) {
                anyhow::bail!(
                    "the hunch binary's path contains spaces ({exe}); install it somewhere without"
                );
            }
            let unit = UNIT.replace("@HUNCH@", &exe);
            hunch::support::files::write(
                &path,
                unit.as_bytes(),
                hunch::support::files::Mode::Public,
            )?;
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
                if let Some(packaged) = packaged_unit() {
                    outln!(
                        "the packaged unit {} stays with the package; to stop using it: systemctl --user disable --now hunch",
                        packaged.display()
                    );
                }
                return Ok(ExitCode::SUCCESS);
            }
            systemctl(&["disable", "--now", "hunch"]);
            std::fs::remove_file(&path)
                .with_context(|| format!("cannot remove {}", path.display()))?;
            systemctl(&["daemon-reload"]);
            outln!("removed {}", path.display());
        }
        ServiceCommand::Autostart => return autostart(),
    }
    Ok(ExitCode::SUCCESS)
}

/// The user service starts hunch in this session: it is enabled, and this session
/// reached graphical-session.target (GNOME, Plasma and other systemd-managed sessions;
/// desktops that never reach it leave hunch to the autostart entry).
pub fn service_runs_hunch() -> bool {
    systemctl(&["-q", "is-enabled", "hunch.service"])
        && systemctl(&["-q", "is-active", "graphical-session.target"])
}

/// `hunch service autostart`: the desktop's autostart runs this at every login. Both the
/// packaged XDG entry and the packaged user unit exist, so one of them must step aside:
/// when the service runs hunch here this exits, and so it does (quietly) until the person
/// has calibrated, so that nobody's camera is watched without their asking. Otherwise it
/// becomes `hunch run`. (A second monitor would stop at the instance lock anyway.)
fn autostart() -> anyhow::Result<ExitCode> {
    if service_runs_hunch() {
        eprintln!("hunch: the hunch user service runs hunch in this session; autostart leaves it to the service");
        return Ok(ExitCode::SUCCESS);
    }
    let calibration = hunch::posture::Calibration::default_path()?;
    if !calibration.is_file() {
        eprintln!("hunch: not calibrated yet, so not started: run `hunch calibrate` once and hunch starts at every login");
        return Ok(ExitCode::SUCCESS);
    }
    let exe = std::env::current_exe().context("cannot find the hunch binary's path")?;
    let err = hunch::platform::process::replace_with(Command::new(&exe).arg("run"));
    Err(err).with_context(|| format!("cannot start {} run", exe.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_trees_are_told_from_installs() {
        assert!(in_build_tree(Path::new(
            "/home/a/hunch/target/release/hunch"
        )));
        assert!(in_build_tree(Path::new("/tmp/t/debug/deps/hunch-1234")));
        assert!(!in_build_tree(Path::new("/usr/bin/hunch")));
        assert!(!in_build_tree(Path::new("/home/a/.local/bin/hunch")));
        assert!(!in_build_tree(Path::new("/srv/target/bin/hunch")));
    }
}
