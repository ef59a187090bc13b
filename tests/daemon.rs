//! `hunch run` as a process: one instance per user, a clean stop on SIGTERM within a
//! second, at most a few seconds of journal lost to SIGKILL, and a damaged journal moved
//! aside rather than destroyed.

mod common;

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{event_kinds, signal, MonitorEnv as Env};
use hunch::journal::{Journal, Opened};
use hunch::vocab::{EventKind, MonitorState};

fn samples(path: &Path) -> (usize, Opened, Vec<EventKind>) {
    let (j, opened) = Journal::open(path).unwrap();
    let n = j.samples(i64::MIN, i64::MAX).unwrap().len();
    let kinds = event_kinds(&j);
    (n, opened, kinds)
}

#[test]
fn one_instance_and_sigterm_stops_cleanly_within_a_second() {
    let env = Env::new("term");
    let mut child = env.start();
    let second = env
        .cmd(&["run", "--source", env.home.join("rec").to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(second.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&second.stderr).contains("already running"));

    std::thread::sleep(Duration::from_secs(3));
    let t = Instant::now();
    signal(&child, "TERM");
    let status = child.wait().unwrap();
    let took = t.elapsed();
    assert!(status.success(), "{status:?}");
    assert!(took < Duration::from_secs(1), "stopped in {took:?}");
    let (n, opened, kinds) = samples(&env.journal());
    assert_eq!(opened, Opened::Existing);
    assert!(n >= 10, "{n} samples");
    assert_eq!(kinds.first(), Some(&EventKind::Start));
    assert_eq!(kinds.last(), Some(&EventKind::Stop));
    // The socket is gone: status says so.
    let o = env.cmd(&["status"]).output().unwrap();
    assert!(String::from_utf8_lossy(&o.stderr).contains("not running"));
}

#[test]
fn sigkill_loses_at_most_the_last_few_seconds() {
    let env = Env::new("kill");
    let mut child = env.start();
    let ran = Instant::now();
    std::thread::sleep(Duration::from_secs(8));
    signal(&child, "KILL");
    let _ = child.wait();
    let secs = ran.elapsed().as_secs_f64();
    let (n, opened, _) = samples(&env.journal());
    assert_eq!(
        opened,
        Opened::Existing,
        "the journal opens cleanly after SIGKILL"
    );
    // 4 samples a second; batches commit every 5 s: at most ~6 s (24 samples) missing.
    let expected = secs * 4.0;
    eprintln!("SIGKILL after {secs:.1} s: {n} samples journaled of ~{expected:.0}");
    assert!(n as f64 >= expected - 26.0, "{n} samples after {secs:.1} s");
    // And a new run starts over it (the lock died with the process).
    let mut again = env.start();
    signal(&again, "TERM");
    assert!(again.wait().unwrap().success());
}

#[test]
fn an_unreadable_journal_is_moved_aside_and_said_so() {
    let env = Env::new("corrupt");
    let j = env.journal();
    std::fs::create_dir_all(j.parent().unwrap()).unwrap();
    std::fs::write(&j, b"not sqlite at all").unwrap();
    let mut child = env
        .cmd(&[
            "run",
            "--fast",
            "--source",
            env.home.join("rec").to_str().unwrap(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = child.wait().unwrap();
    let mut err = String::new();
    use std::io::Read;
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(status.success(), "{err}");
    assert!(
        err.contains("could not be read") && err.contains("moved to"),
        "{err}"
    );
    let moved: Vec<_> = std::fs::read_dir(j.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("unreadable"))
        .collect();
    assert_eq!(moved.len(), 1);
    assert_eq!(
        std::fs::read(moved[0].path()).unwrap(),
        b"not sqlite at all"
    );
    let (n, _, _) = samples(&j);
    assert_eq!(n, 240);
}

/// logind cannot run here, so a stand-in `loginctl` on PATH answers for it; the monitor's
/// real code path (spawning loginctl, asking for the user's display session and its
/// LockedHint) runs unchanged.
#[test]
fn a_locked_screen_holds_monitoring() {
    let env = Env::new("lock");
    let bin = env.home.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let state = env.home.join("locked");
    std::fs::write(&state, "no").unwrap();
    let script = format!(
        "#!/bin/sh\ncase \"$1\" in\n  show-user) echo c7 ;;\n  show-session) [ \"$2\" = c7 ] && cat {} ;;\n  *) exit 1 ;;\nesac\n",
        state.display()
    );
    std::fs::write(bin.join("loginctl"), script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(bin.join("loginctl"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );

    let mut child = env
        .cmd(&["run", "--source", env.home.join("rec").to_str().unwrap()])
        .env("PATH", &path)
        .env_remove("XDG_SESSION_ID")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(2));
    std::fs::write(&state, "yes").unwrap();
    std::thread::sleep(Duration::from_secs(7)); // noticed within 5 s
    std::fs::write(&state, "no").unwrap();
    std::thread::sleep(Duration::from_secs(7));
    signal(&child, "TERM");
    assert!(child.wait().unwrap().success());

    let (j, _) = Journal::open(&env.journal()).unwrap();
    let kinds = event_kinds(&j);
    let l = kinds
        .iter()
        .position(|k| *k == EventKind::Locked)
        .expect("locked journaled");
    let u = kinds
        .iter()
        .position(|k| *k == EventKind::Unlocked)
        .expect("unlocked journaled");
    assert!(l < u, "{kinds:?}");
    let states: Vec<MonitorState> = j
        .samples(i64::MIN, i64::MAX)
        .unwrap()
        .into_iter()
        .map(|s| s.state)
        .collect();
    let first_locked = states
        .iter()
        .position(|s| *s == MonitorState::Locked)
        .expect("locked samples");
    let last_locked = states
        .iter()
        .rposition(|s| *s == MonitorState::Locked)
        .unwrap();
    assert!(
        states[..first_locked]
            .iter()
            .all(|s| *s == MonitorState::Upright),
        "{states:?}"
    );
    assert!(
        states[first_locked..=last_locked]
            .iter()
            .all(|s| *s == MonitorState::Locked),
        "{states:?}"
    );
    assert!(
        states[last_locked + 1..].contains(&MonitorState::Upright),
        "{states:?}"
    );
}
