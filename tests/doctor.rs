//! `hunch doctor` on a healthy setup (the fake V4L2 webcam, a calibration made from it, a
//! journal, and a real dunst on a private D-Bus session) and on a broken one (no ONNX
//! Runtime, no camera, no notification server): one line per check, the fix with each
//! problem, exit status 0 only when hunch can monitor.

mod common;

use std::path::Path;
use std::process::Command;

use common::{fake_camera, hunch_with_camera, tempdir};
use hunch::vocab::{MonitorState, SampleRow};
use serde_json::Value;

fn checks(json: &Value) -> Vec<(String, String, String, Option<String>)> {
    json["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| {
            (
                c["check"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
                c["message"].as_str().unwrap().to_string(),
                c["fix"].as_str().map(String::from),
            )
        })
        .collect()
}

fn find<'a>(
    checks: &'a [(String, String, String, Option<String>)],
    name: &str,
) -> &'a (String, String, String, Option<String>) {
    checks
        .iter()
        .find(|c| c.0 == name)
        .unwrap_or_else(|| panic!("no {name} check in {checks:?}"))
}

#[test]
fn a_healthy_setup_is_ok_line_by_line_and_exits_0() {
    let home = tempdir("doctor-healthy");
    let camera = fake_camera(&home.join("camera"), true);
    // Calibrate from the (fake) camera, as a person would; --countdown 0 says no countdown.
    let o = hunch_with_camera(&home, &camera)
        .args(["calibrate", "--countdown", "0", "--seconds", "2"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("look at the screen. Hold still for 2 s."),
        "{err}"
    );
    assert!(!err.contains("Starting in"), "{err}");

    // A journal with a day's last samples in it.
    let journal = home.join("data/hunch/journal.sqlite");
    let (mut j, _) = hunch::journal::Journal::open(&journal).unwrap();
    let now = jiff::Timestamp::now().as_millisecond();
    for i in 0..42 {
        let row = SampleRow {
            t_ms: now - 60_000 + i * 1000,
            dt_ms: 1000,
            state: MonitorState::Upright,
            forward_deg: Some(1.0),
            camera_open_ms: 0,
        };
        j.record(&row, 0.9).unwrap();
    }
    j.flush().unwrap();
    drop(j);

    // Inside a private session bus with dunst answering org.freedesktop.Notifications.
    let harness = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/harness/notify-session.sh");
    let mut c = Command::new("dbus-run-session");
    c.arg("--").arg(&harness).arg(&home).arg("none").arg("--");
    let doctor = hunch_with_camera(&home, &camera);
    c.arg("env");
    // The same environment, except that the session bus is the private one (env takes
    // its -u options before the assignments).
    let envs: Vec<_> = doctor
        .get_envs()
        .filter(|(k, _)| *k != "DBUS_SESSION_BUS_ADDRESS")
        .collect();
    for (k, _) in envs.iter().filter(|(_, v)| v.is_none()) {
        c.arg("-u").arg(k);
    }
    for (k, v) in envs.iter().filter_map(|(k, v)| v.map(|v| (k, v))) {
        c.arg(format!("{}={}", k.to_string_lossy(), v.to_string_lossy()));
    }
    c.arg(env!("CARGO_BIN_EXE_hunch"))
        .args(["doctor", "--json"]);
    c.env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("DISPLAY");
    let o = c
        .output()
        .expect("dbus-run-session, Xvfb and dunst (scripts/setup)");
    let out = String::from_utf8_lossy(&o.stdout);
    let json: Value = serde_json::from_str(
        std::fs::read_to_string(home.join("hunch.out"))
            .unwrap()
            .trim(),
    )
    .unwrap_or_else(|e| panic!("{e}: {out}"));
    assert!(out.contains("HUNCH_STATUS=0"), "{out}\n{json:#}");
    assert_eq!(json["can_monitor"], true, "{json:#}");
    let cs = checks(&json);
    for name in [
        "onnx runtime",
        "models",
        "camera access",
        "camera",
        "calibration",
        "notifications",
        "journal",
        "telemetry",
    ] {
        let c = find(&cs, name);
        assert_eq!(c.1, "ok", "{c:?}");
        assert!(c.3.is_none(), "an ok check has no fix: {c:?}");
    }
    assert!(find(&cs, "onnx runtime")
        .2
        .starts_with("ONNX Runtime 1.31.1 from "));
    assert!(find(&cs, "models")
        .2
        .contains("3 files match models/README.md's checksums, and the full model loads"));
    assert!(find(&cs, "camera")
        .2
        .contains("hunch will ask for 640×480 MJPEG"));
    assert!(find(&cs, "calibration")
        .2
        .contains("fits camera:0 at 640×480"));
    assert!(find(&cs, "notifications").2.starts_with("dunst "), "{cs:?}");
    assert!(
        find(&cs, "journal").2.contains("42 samples, last "),
        "{cs:?}"
    );
}

#[test]
fn a_broken_setup_names_each_problem_with_its_fix_and_exits_1() {
    let home = tempdir("doctor-broken");
    let camera = fake_camera(&home.join("camera"), false);
    let o = hunch_with_camera(&home, &camera)
        .env(
            "ORT_DYLIB_PATH",
            home.join("nowhere/libonnxruntime.so.1.31.1"),
        )
        .arg("doctor")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let lines: Vec<&str> = out.lines().collect();
    // One line per check, then the verdict.
    assert_eq!(lines.len(), 10, "{out}");
    assert_eq!(
        lines[9],
        "hunch cannot monitor until each `fail` above is fixed."
    );
    let line = |name: &str| {
        *lines
            .iter()
            .find(|l| l.get(6..19).map(str::trim) == Some(name))
            .unwrap_or_else(|| panic!("no {name} line in {out}"))
    };
    let runtime = line("onnx runtime");
    assert!(runtime.starts_with("fail"), "{runtime}");
    assert!(
        runtime.contains("(ORT_DYLIB_PATH) cannot be loaded: no such file; reinstall hunch"),
        "{runtime}"
    );
    // Without a runtime the models are still checked, only not loaded.
    let models = line("models");
    assert!(
        models.starts_with("ok") && !models.contains("loads"),
        "{models}"
    );
    let cam = line("camera");
    assert!(
        cam.starts_with("fail")
            && cam.contains("no camera found (no /dev/video* device); plug in a webcam"),
        "{cam}"
    );
    let cal = line("calibration");
    assert!(
        cal.starts_with("fail") && cal.contains("run `hunch calibrate`"),
        "{cal}"
    );
    let notes = line("notifications");
    assert!(
        notes.starts_with("warn") && notes.contains("no notification server on the session bus"),
        "{notes}"
    );
    assert!(
        notes.contains("; run hunch inside your desktop session"),
        "{notes}"
    );
    assert!(line("telemetry").starts_with("ok"), "{out}");

    let o = hunch_with_camera(&home, &camera)
        .env(
            "ORT_DYLIB_PATH",
            home.join("nowhere/libonnxruntime.so.1.31.1"),
        )
        .args(["doctor", "--json"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["can_monitor"], false);
    for (name, status, _, fix) in checks(&json) {
        assert_eq!(
            status != "ok",
            fix.is_some(),
            "{name}: a fix exactly when something is wrong"
        );
    }
}
