//! The desktop on Linux: opening a file with the desktop's handler, and a terminal for
//! recalibrating from the tray.

use std::path::Path;

/// Opens `path` with the desktop's handler: `xdg-open`, else `gio open`.
pub fn open_file(path: &Path) -> Result<(), String> {
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
pub fn recalibrate(exe: &Path) -> Result<(), String> {
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
