//! The privacy promise, checked from outside: no network socket is ever opened (ONNX
//! Runtime's telemetry included), nothing lands in `~/.cache/Microsoft`, and nothing
//! hunch writes can be read by other users — with a permissive umask (022) in force.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{fixture, tempdir, upright_stills};

/// Runs `hunch ARGS` under `strace -f -e trace=socket,connect` with every per-user
/// directory inside `home`, umask 022; returns the trace.
fn traced(home: &Path, args: &[&str]) -> String {
    let trace = home.join(format!("strace-{}.txt", args[0]));
    let bin = env!("CARGO_BIN_EXE_hunch");
    let quoted: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
    let o = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "umask 022 && exec strace -f -qq -e trace=socket,connect -o '{}' '{bin}' {}",
            trace.display(),
            quoted.join(" ")
        ))
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_RUNTIME_DIR", home.join("run"))
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("ORT_DISABLE_TELEMETRY")
        .env_remove("ORT_DYLIB_PATH")
        .output()
        .expect("strace (installed by scripts/setup)");
    assert!(
        o.status.success(),
        "hunch {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    std::fs::read_to_string(&trace).unwrap()
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            out.push(p.clone());
            if p.is_dir() && !p.is_symlink() {
                files_under(&p, out);
            }
        }
    }
}

#[test]
fn no_network_no_telemetry_and_nothing_readable_by_others() {
    let home = tempdir("privacy");
    let still = upright_stills(&home);
    let report = home.join("out/day.html");
    std::fs::create_dir_all(report.parent().unwrap()).unwrap();
    let mut traces = String::new();
    traces += &traced(&home, &["demo"]);
    traces += &traced(&home, &["calibrate", "--source", still.to_str().unwrap()]);
    traces += &traced(
        &home,
        &[
            "run",
            "--speed",
            "20",
            "--source",
            fixture("demo").to_str().unwrap(),
            "--journal",
            home.join("data/hunch/journal.sqlite").to_str().unwrap(),
        ],
    );
    traces += &traced(&home, &["report", "--html", report.to_str().unwrap()]);
    traces += &traced(&home, &["analyze", fixture("pose.jpg").to_str().unwrap()]);

    // The trace saw the program's sockets (D-Bus and the control socket are AF_UNIX)...
    assert!(
        traces.contains("socket("),
        "strace recorded nothing:\n{traces}"
    );
    // ...and not one network socket.
    let network: Vec<&str> = traces
        .lines()
        .filter(|l| l.contains("AF_INET") || l.contains("AF_INET6"))
        .collect();
    assert!(network.is_empty(), "network sockets: {network:#?}");
    assert!(
        !home.join(".cache/Microsoft").exists(),
        "ONNX Runtime's telemetry directory was created"
    );

    // Everything hunch wrote is for its user only.
    let mut written = Vec::new();
    for d in ["config/hunch", "data/hunch", "run/hunch"] {
        let dir = home.join(d);
        assert!(dir.exists(), "{d}");
        written.push(dir.clone());
        files_under(&dir, &mut written);
    }
    written.push(report);
    use std::os::unix::fs::MetadataExt;
    for p in &written {
        let mode = std::fs::symlink_metadata(p).unwrap().mode();
        assert_eq!(
            mode & 0o077,
            0,
            "{} is mode {:o}",
            p.display(),
            mode & 0o777
        );
    }
    assert!(written.len() >= 6, "{written:?}");
}
