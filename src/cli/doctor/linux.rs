//! `hunch doctor`'s checks on Linux: the V4L2 device node's permissions (the `video`
//! group, or the desktop's device ACL), a notification server on the session bus, and the
//! systemd user service or the XDG autostart entry.

use std::path::PathBuf;

use super::*;

/// The device node of camera `index`.
fn video_node(index: u32) -> PathBuf {
    hunch::platform::camera::device_node(index)
}

/// The name of group `gid` (from /etc/group), or the number.
fn group_name(gid: u32) -> String {
    std::fs::read_to_string("/etc/group")
        .ok()
        .and_then(|t| {
            t.lines().find_map(|l| {
                let f: Vec<&str> = l.split(':').collect();
                (f.len() > 2 && f[2] == gid.to_string()).then(|| f[0].to_string())
            })
        })
        .unwrap_or_else(|| gid.to_string())
}

pub(super) fn check_camera_access(index: u32) -> Check {
    const NAME: &str = "camera access";
    use std::os::unix::fs::MetadataExt;
    let node = video_node(index);
    // Opening the node says what the kernel allows (groups and the desktop's ACLs alike);
    // it does not start the camera (streaming does), so its light stays off.
    match std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&node)
    {
        Ok(_) => Check::ok(
            NAME,
            format!("{} can be opened for reading and writing", node.display()),
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Check::ok(
            NAME,
            format!("no {} to open (see the camera check)", node.display()),
        ),
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            let who = std::fs::metadata(&node)
                .map(|m| {
                    format!(
                        " (group {}, mode {:o})",
                        group_name(m.gid()),
                        m.mode() & 0o777
                    )
                })
                .unwrap_or_default();
            let group = std::fs::metadata(&node)
                .map(|m| group_name(m.gid()))
                .unwrap_or_else(|_| "video".into());
            Check::fail(
                NAME,
                format!("you may not open {}{who}", node.display()),
                format!("add yourself to the {group} group (`sudo usermod -aG {group} $USER`) and log in again"),
            )
        }
        Err(e) => Check::warn(
            NAME,
            format!("{} cannot be opened now: {e}", node.display()),
            "close other programs using the camera, or unplug and replug it",
        ),
    }
}

/// The camera check, and the size hunch will ask the camera for.
pub(super) fn check_notifications() -> Check {
    const NAME: &str = "notifications";
    match notify_rust::get_server_information() {
        Ok(i) => Check::ok(
            NAME,
            format!(
                "{} {} ({}) on the session bus, notification spec {}",
                i.name, i.version, i.vendor, i.spec_version
            ),
        ),
        Err(e) => Check::warn(
            NAME,
            format!("no notification server on the session bus ({e}); hunch monitors and keeps its journal but cannot prompt"),
            "run hunch inside your desktop session, where one (GNOME Shell, Plasma, dunst, xfce4-notifyd…) runs",
        ),
    }
}

/// `systemctl --user ARGS` and its first line of output, or None when there is no
/// systemd user manager to ask.
fn systemctl_query(args: &[&str]) -> Option<String> {
    let o = std::process::Command::new("systemctl")
        .arg("--user")
        .args(args)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let out = String::from_utf8_lossy(&o.stdout)
        .lines()
        .next()?
        .trim()
        .to_string();
    (!out.is_empty()).then_some(out)
}

pub(super) fn check_service() -> Check {
    const NAME: &str = "service";
    let units = hunch::support::paths::user_unit_files();
    let autostart = hunch::support::paths::autostart_files();
    // "offline" (or nothing) when no systemd user manager answers (no login session, a
    // container, a system without systemd).
    let manager = systemctl_query(&["is-system-running"]).filter(|s| s != "offline");
    let Some(unit) = units.first() else {
        if let Some(a) = autostart.first() {
            return Check::ok(
                NAME,
                format!(
                    "no user service; the autostart entry {} starts hunch at login",
                    a.display()
                ),
            );
        }
        return Check::warn(
            NAME,
            "hunch does not start by itself: no user service and no autostart entry",
            "run `hunch service install` and `systemctl --user enable --now hunch`, or `hunch run` yourself",
        );
    };
    if let Some(program) = crate::cli::service::system::unit_program(unit) {
        if !program.is_file() {
            return Check::warn(
                NAME,
                format!(
                    "{} starts {}, which does not exist",
                    unit.display(),
                    program.display()
                ),
                "run `hunch service install` from the installed hunch",
            );
        }
    }
    if manager.is_none() {
        let start = match autostart.first() {
            Some(a) => format!(
                "; the autostart entry {} starts hunch at login",
                a.display()
            ),
            None => String::new(),
        };
        return Check::warn(
            NAME,
            format!(
                "{} is installed, but no systemd user manager answers here{start}",
                unit.display()
            ),
            "log in to a desktop session with systemd to use the service, or run `hunch run`",
        );
    }
    let enabled = systemctl_query(&["is-enabled", "hunch.service"]).unwrap_or_default();
    let active = systemctl_query(&["is-active", "hunch.service"]).unwrap_or_default();
    match (enabled.as_str(), active.as_str()) {
        ("enabled", "active") => {
            Check::ok(NAME, format!("{} is enabled and running", unit.display()))
        }
        (_, "active") => Check::ok(
            NAME,
            format!(
                "{} is running, but not enabled: it will not start at the next login",
                unit.display()
            ),
        ),
        ("enabled", state) => Check::warn(
            NAME,
            format!("{} is enabled but not running ({state})", unit.display()),
            "see why with `journalctl --user -u hunch`, then `systemctl --user restart hunch`",
        ),
        (state, _) => Check::warn(
            NAME,
            format!("{} is installed but not enabled ({state})", unit.display()),
            "start it now and at every login with `systemctl --user enable --now hunch`",
        ),
    }
}
