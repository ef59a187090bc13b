//! The monitor against a real notification server (Xvfb + dbus-run-session + dunst,
//! installed by scripts/setup): alerts arrive when and only when they should, and the
//! user's answers through dunst's own menu reach the monitor and the journal.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{fixture, tempdir};
use hunch::journal::Journal;
use hunch::vocab::MonitorState;

/// Quick timings so a 20-second recording shows the whole policy. The replay gives a
/// frame every 0.25 s, as a camera at `interval_seconds = 0.25` would (the filter's
/// windows are checked against that rate).
const CONFIG: &str = "
[camera]
interval_seconds = 0.25
[filter]
smooth_seconds = 1.0
sustain_seconds = 4.0
away_after_seconds = 2.0
[policy]
alert_after_seconds = 3.0
cooldown_seconds = 6.0
snooze_seconds = 600.0
";

/// A recording at 4 frames a second, `seconds` long, of `image(i)`.
fn recording(dir: &Path, seconds: u32, image: impl Fn(u32) -> PathBuf) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let mut text = String::from("path,label,time_ms\n");
    for i in 0..seconds * 4 {
        text += &format!("{},upright,{}\n", image(i).display(), i * 250);
    }
    std::fs::write(dir.join("manifest.csv"), text).unwrap();
    dir.to_path_buf()
}

fn demo(name: &str) -> PathBuf {
    fixture(&format!("demo/{name}"))
}

struct Outcome {
    home: PathBuf,
    notifications: usize,
    /// After an answer: how many notifications dunst still showed 3 s later.
    displayed_after_answer: Option<String>,
    journal: Journal,
    stderr: String,
}

/// Calibrates on the demo's upright frame, then runs `hunch run` on `frames` inside a
/// private D-Bus session with dunst, answering the first notification with `action`.
fn run(name: &str, action: &str, frames: impl Fn(u32) -> PathBuf, seconds: u32) -> Outcome {
    let home = tempdir(name);
    let config = home.join("config/hunch");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("config.toml"), CONFIG).unwrap();
    let still = recording(&home.join("still"), 2, |_| demo("upright-0.jpg"));
    let bin = env!("CARGO_BIN_EXE_hunch");
    let env = |c: &mut Command| {
        c.env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_RUNTIME_DIR", home.join("run"))
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env_remove("DISPLAY");
    };
    let mut cal = Command::new(bin);
    cal.args(["calibrate", "--source"]).arg(&still);
    env(&mut cal);
    let o = cal.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let rec = recording(&home.join("rec"), seconds, frames);
    let journal = home.join("journal.sqlite");
    let harness = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/harness/notify-session.sh");
    let mut c = Command::new("dbus-run-session");
    c.arg("--")
        .arg(&harness)
        .arg(&home)
        .arg(action)
        .arg("--")
        .arg(bin)
        .args(["run", "--source"])
        .arg(&rec)
        .arg("--journal")
        .arg(&journal);
    env(&mut c);
    let o = c
        .output()
        .expect("dbus-run-session (package dbus), Xvfb and dunst are installed by scripts/setup");
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let stderr = std::fs::read_to_string(home.join("hunch.err")).unwrap_or_default();
    assert!(out.contains("HUNCH_STATUS=0"), "{out}\n{stderr}");
    let notifications = out
        .lines()
        .find_map(|l| l.strip_prefix("NOTIFICATIONS="))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("{out}"));
    let displayed_after_answer = out
        .lines()
        .find_map(|l| l.strip_prefix("DISPLAYED_AFTER_ANSWER="))
        .map(|n| n.trim().to_string());
    let (journal, _) = Journal::open(&journal).unwrap();
    Outcome {
        home,
        notifications,
        displayed_after_answer,
        journal,
        stderr,
    }
}

fn events(j: &Journal, kind: &str) -> Vec<(i64, String)> {
    let kind: hunch::vocab::EventKind = kind.parse().expect("an event kind");
    j.events(i64::MIN, i64::MAX)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == kind)
        .map(|e| (e.t_ms, e.detail))
        .collect()
}

fn slouched(i: u32) -> PathBuf {
    demo(&format!("slouching-{}.jpg", i % 4))
}

#[test]
fn sustained_hunch_alerts_on_schedule() {
    let o = run("hunched", "none", slouched, 20);
    let alerts = events(&o.journal, "alert");
    // Hunching from ~0.5 s, an episode 3 s old at ~3.5 s; then the 6 s cooldown (second,
    // insistent, ~9.5 s); the third would need 12 s more (~21.5 s), past the end.
    assert_eq!(alerts.len(), 2, "{alerts:?}\n{}", o.stderr);
    assert!(alerts[1].0 - alerts[0].0 >= 6000, "{alerts:?}");
    assert!(
        alerts[0].1.contains("Gentle") && alerts[1].1.contains("Insistent"),
        "{alerts:?}"
    );
    // Different stretches, and the server received exactly these notifications.
    assert_ne!(alerts[0].1.split(' ').next(), alerts[1].1.split(' ').next());
    assert_eq!(o.notifications, 2);
}

#[test]
fn upright_and_away_never_alert() {
    let o = run(
        "upright",
        "none",
        |i| demo(&format!("upright-{}.jpg", i % 4)),
        15,
    );
    assert!(events(&o.journal, "alert").is_empty());
    assert_eq!(o.notifications, 0);

    let o = run("away", "none", |_| fixture("no_person_sky.png"), 15);
    assert!(events(&o.journal, "alert").is_empty());
    assert_eq!(o.notifications, 0);
    let samples = o.journal.samples(i64::MIN, i64::MAX).unwrap();
    assert!(samples.iter().any(|s| s.state == MonitorState::Away));
}

#[test]
fn snooze_from_the_notification_holds_alerts_and_keeps_measuring() {
    let o = run("snooze", "snooze", slouched, 20);
    let snoozes = events(&o.journal, "snooze");
    assert_eq!(snoozes.len(), 1, "{}", o.stderr);
    assert_eq!(snoozes[0].1, "600 s");
    // Answered, the notification left the screen (hunch closed it).
    assert_eq!(o.displayed_after_answer.as_deref(), Some("0"));
    assert_eq!(events(&o.journal, "alert").len(), 1);
    // The button offered the configured snooze, not a fixed 30 minutes.
    let menu = std::fs::read_to_string(o.home.join("menu.txt")).unwrap();
    assert!(menu.contains("Snooze 10 min"), "{menu}");
    // Snoozed, the monitor still measures: the samples after it keep their posture.
    let after: Vec<MonitorState> = o
        .journal
        .samples(snoozes[0].0, i64::MAX)
        .unwrap()
        .into_iter()
        .map(|s| s.state)
        .collect();
    assert!(after.len() > 10, "{after:?}");
    assert!(after.iter().all(|s| s.is_hunched()), "{after:?}");
}

#[test]
fn done_records_the_stretch_taken() {
    let o = run("done", "done", slouched, 12);
    let done = events(&o.journal, "done");
    let alerts = events(&o.journal, "alert");
    assert_eq!(done.len(), 1, "{}", o.stderr);
    // The stretch recorded is the one the first alert suggested.
    assert!(alerts[0].1.starts_with(&done[0].1), "{alerts:?} {done:?}");
    assert_eq!(o.displayed_after_answer.as_deref(), Some("0"));
}

#[test]
fn pause_for_today_pauses_monitoring() {
    let o = run("pause", "pause", slouched, 12);
    assert_eq!(events(&o.journal, "pause").len(), 1, "{}", o.stderr);
    assert_eq!(o.displayed_after_answer.as_deref(), Some("0"));
    assert_eq!(events(&o.journal, "alert").len(), 1);
    let samples = o.journal.samples(i64::MIN, i64::MAX).unwrap();
    assert_eq!(samples.last().unwrap().state, MonitorState::Paused);
}
