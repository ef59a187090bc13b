//! `hunch service` on macOS: `install` writes a LaunchAgent
//! (`~/Library/LaunchAgents/org.hunch.monitor.plist`, loaded by launchd at every login),
//! `uninstall` removes it. Type-checked here, not run (no Apple SDK to link).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use super::ServiceCommand;

const LABEL: &str = "org.hunch.monitor";

fn agent_path() -> anyhow::Result<PathBuf> {
    let home = std::env::var_os("HOME").context("no HOME")?;
    Ok(PathBuf::from(home).join(format!("Library/LaunchAgents/{LABEL}.plist")))
}

pub fn run(cmd: ServiceCommand) -> anyhow::Result<ExitCode> {
    let path = agent_path()?;
    match cmd {
        ServiceCommand::Install => {
            let exe = std::env::current_exe().context("cannot find the hunch binary's path")?;
            let esc = hunch::support::human::esc(&exe.to_string_lossy());
            let plist = format!(
                r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key><string>{LABEL}</string>
  <key>ProgramArguments</key><array><string>{esc}</string><string>run</string></array>
  <key>RunAtLoad</key><true/>
  <key>ProcessType</key><string>Background</string>
</dict>
</plist>
"#
            );
            hunch::support::files::write(
                &path,
                plist.as_bytes(),
                hunch::support::files::Mode::Public,
            )?;
            outln!(
                "wrote {}; it starts hunch at every login (now: launchctl load {})",
                path.display(),
                path.display()
            );
        }
        ServiceCommand::Uninstall => {
            if path.exists() {
                std::fs::remove_file(&path)
                    .with_context(|| format!("cannot remove {}", path.display()))?;
                outln!("removed {}", path.display());
            } else {
                outln!("no LaunchAgent at {}; nothing to do", path.display());
            }
        }
        ServiceCommand::Autostart => {
            outln!("on macOS, `hunch service install` starts hunch at login");
        }
    }
    Ok(ExitCode::SUCCESS)
}
