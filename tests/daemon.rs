//! `hunch run` as a process: one instance per user, a clean stop on SIGTERM within a
//! second, at most a few seconds of journal lost to SIGKILL, a damaged journal moved
//! aside rather than destroyed, and screen locks and sleep from logind over D-Bus.

mod common;
#[path = "harness/logind.rs"]
mod logind;

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{event_kinds, signal, MonitorEnv as Env};
use hunch::journal::{Journal, Opened};
use hunch::vocab::{EventKind, MonitorState};
use logind::{PrivateBus, Setup, StandIn};

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
        .arg("--journal")
        .arg(env.journal())
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
    let o = env
        .cmd(&[
            "run",
            "--fast",
            "--source",
            env.home.join("rec").to_str().unwrap(),
        ])
        .arg("--journal")
        .arg(&j)
        .stdout(Stdio::null())
        .output()
        .unwrap();
    let (status, err) = (o.status, String::from_utf8_lossy(&o.stderr).into_owned());
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

/// The screen lock and sleep from logind over D-Bus, then the bus gone. logind cannot run
/// here, so a stand-in owns `org.freedesktop.login1` on a private bus
/// (tests/harness/logind.rs), which `hunch run` finds the standard way, through
/// `DBUS_SYSTEM_BUS_ADDRESS`; the monitor's real code path runs unchanged (the session
/// named by `XDG_SESSION_ID`, its `LockedHint` by signal, `PrepareForSleep` with a delay
/// lock).
#[test]
fn a_locked_screen_and_a_sleep_from_logind_and_then_no_bus() {
    let env = Env::new("logind");
    let bus_dir = env.home.join("bus");
    std::fs::create_dir_all(&bus_dir).unwrap();
    let mut bus = PrivateBus::start(&bus_dir.join("system_bus_socket"));
    let logind = StandIn::start(
        &bus.address,
        Setup {
            sessions: vec![("c7", false), ("c8", true)],
            caller_session: None,
            display: "c8",
        },
    );
    let err = env.home.join("hunch.err");
    let mut child = env
        .cmd(&["run", "--source", env.home.join("rec").to_str().unwrap()])
        .arg("--journal")
        .arg(env.journal())
        .env("DBUS_SYSTEM_BUS_ADDRESS", &bus.address)
        .env("XDG_SESSION_ID", "c7")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .unwrap();
    let wall = || jiff::Timestamp::now().as_millisecond();
    assert!(logind.wait_for(|l| l.locked_hint_reads() == 1 && l.inhibitors().len() == 1));
    std::thread::sleep(Duration::from_secs(2));
    logind.set_locked("c7", true);
    std::thread::sleep(Duration::from_secs(3));
    logind.set_locked("c7", false);
    std::thread::sleep(Duration::from_secs(2));

    logind.prepare_for_sleep(true);
    let delay = logind.inhibitors()[0].clone();
    assert!(delay.wait_released(Duration::from_secs(5)));
    // The machine may sleep now, and by now the sleep is in the journal on disk.
    let journaled = rusqlite::Connection::open_with_flags(
        env.journal(),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap()
    .query_row(
        "SELECT COUNT(*) FROM events WHERE kind = 'sleep'",
        [],
        |r| r.get::<_, i64>(0),
    )
    .unwrap();
    assert_eq!(journaled, 1);
    logind.prepare_for_sleep(false);
    assert!(logind.wait_for(|l| l.inhibitors().len() == 2));
    std::thread::sleep(Duration::from_secs(1));

    bus.kill();
    let bus_gone = wall();
    std::thread::sleep(Duration::from_secs(2));
    signal(&child, "TERM");
    assert!(child.wait().unwrap().success());
    let log = std::fs::read_to_string(&err).unwrap();
    assert!(log.contains("the system bus went away"), "{log}");

    let (j, _) = Journal::open(&env.journal()).unwrap();
    let kinds = event_kinds(&j);
    let pos = |k| kinds.iter().position(|x| *x == k).expect("journaled");
    assert!(
        pos(EventKind::Locked) < pos(EventKind::Unlocked)
            && pos(EventKind::Unlocked) < pos(EventKind::Sleep)
            && pos(EventKind::Sleep) < pos(EventKind::Wake),
        "{kinds:?}"
    );
    // Only the one lock (c8, the display session, is locked, but hunch runs in c7).
    assert_eq!(kinds.iter().filter(|k| **k == EventKind::Locked).count(), 1);
    let samples = j.samples(i64::MIN, i64::MAX).unwrap();
    let states: Vec<MonitorState> = samples.iter().map(|s| s.state).collect();
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
    // Monitoring went on after the lock, and after the bus went away.
    assert!(
        states[last_locked + 1..].contains(&MonitorState::Upright),
        "{states:?}"
    );
    let after: Vec<_> = samples.iter().filter(|s| s.t_ms > bus_gone).collect();
    assert!(
        after.len() >= 4,
        "{} samples after the bus went",
        after.len()
    );
    assert!(after.iter().all(|s| s.state == MonitorState::Upright));
}
