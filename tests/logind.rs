//! hunch's logind watch ([`Logind`]) on its own, against a stand-in logind on a private
//! D-Bus bus (tests/harness/logind.rs; logind itself cannot run here: it needs systemd as
//! PID 1). The watch finds the bus the standard way, through `DBUS_SYSTEM_BUS_ADDRESS`, so
//! these tests run one at a time (see `logind::exclusive`). The daemon's side is in
//! tests/daemon_lib.rs (a library daemon) and tests/daemon.rs (`hunch run`).

#[path = "harness/logind.rs"]
mod logind;

use std::sync::MutexGuard;
use std::time::{Duration, Instant};

use hunch::daemon::session::{SessionEvent, SessionWatch};
use hunch::platform::session::Logind;
use logind::{system_bus_socket, PrivateBus, Setup, StandIn};

/// Long enough for a signal to cross the bus on a loaded machine.
const ARRIVES: Duration = Duration::from_secs(5);

/// The next event within `timeout`.
fn next(w: &mut Logind, timeout: Duration) -> Option<SessionEvent> {
    let t = Instant::now();
    loop {
        if let Some(e) = w.poll() {
            return Some(e);
        }
        if t.elapsed() > timeout {
            return None;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Every event within `d`.
fn during(w: &mut Logind, d: Duration) -> Vec<SessionEvent> {
    let t = Instant::now();
    let mut events = Vec::new();
    while t.elapsed() < d {
        events.extend(w.poll());
        std::thread::sleep(Duration::from_millis(2));
    }
    events
}

struct Rig {
    watch: Logind,
    logind: StandIn,
    bus: PrivateBus,
    _one_at_a_time: MutexGuard<'static, ()>,
}

/// A fresh bus and stand-in, and a watch that has asked its first questions (so it has
/// subscribed to everything it follows).
fn rig(setup: Setup) -> Rig {
    let guard = logind::exclusive();
    let bus = PrivateBus::start(&system_bus_socket());
    let display = !setup.display.is_empty();
    let logind = StandIn::start(&bus.address, setup);
    let watch = Logind::start();
    assert!(
        logind.wait_for(|l| !l.inhibitors().is_empty()
            && if display {
                l.locked_hint_reads() >= 1
            } else {
                l.display_reads() >= 1
            }),
        "the watch did not ask logind"
    );
    Rig {
        watch,
        logind,
        bus,
        _one_at_a_time: guard,
    }
}

#[test]
fn lock_and_unlock_arrive_by_signal_not_by_polling() {
    // A systemd user service: outside any session, so the user's display session is used.
    let mut r = rig(Setup::default());
    assert_eq!(during(&mut r.watch, Duration::from_millis(100)), []);
    r.logind.set_locked("c2", true);
    assert_eq!(next(&mut r.watch, ARRIVES), Some(SessionEvent::Locked));
    r.logind.set_locked("c2", false);
    assert_eq!(next(&mut r.watch, ARRIVES), Some(SessionEvent::Unlocked));
    // logind may repeat a value; the daemon hears only changes.
    r.logind.set_locked("c2", false);
    r.logind.set_locked("c2", true);
    assert_eq!(next(&mut r.watch, ARRIVES), Some(SessionEvent::Locked));
    assert_eq!(during(&mut r.watch, Duration::from_millis(1500)), []);
    // LockedHint was read once, at start; everything after came by PropertiesChanged.
    assert_eq!(r.logind.locked_hint_reads(), 1);
}

#[test]
fn a_session_locked_at_start_is_reported_once() {
    let mut r = rig(Setup {
        sessions: vec![("c2", true)],
        ..Setup::default()
    });
    assert_eq!(next(&mut r.watch, ARRIVES), Some(SessionEvent::Locked));
    assert_eq!(during(&mut r.watch, Duration::from_millis(300)), []);
}

#[test]
fn its_own_session_comes_before_the_users_display() {
    // Started inside session c1 (GetSessionByPID finds it), while c2 is the display session.
    let mut r = rig(Setup {
        sessions: vec![("c1", false), ("c2", false)],
        caller_session: Some("c1"),
        display: "c2",
    });
    r.logind.set_locked("c2", true);
    assert_eq!(during(&mut r.watch, Duration::from_millis(300)), []);
    r.logind.set_locked("c1", true);
    assert_eq!(next(&mut r.watch, ARRIVES), Some(SessionEvent::Locked));
    assert_eq!(r.logind.display_reads(), 0);
}

#[test]
fn a_graphical_login_after_start_is_followed() {
    // A lingering user service starts before anyone logs in: no display session yet.
    let mut r = rig(Setup {
        sessions: vec![("c3", true), ("c4", false)],
        caller_session: None,
        display: "",
    });
    assert_eq!(during(&mut r.watch, Duration::from_millis(200)), []);
    // The user logs in (c3, and its locker has the screen locked already).
    r.logind.set_display("c3");
    assert_eq!(next(&mut r.watch, ARRIVES), Some(SessionEvent::Locked));
    r.logind.set_locked("c3", false);
    assert_eq!(next(&mut r.watch, ARRIVES), Some(SessionEvent::Unlocked));
    r.logind.set_locked("c3", true);
    assert_eq!(next(&mut r.watch, ARRIVES), Some(SessionEvent::Locked));
    // Logged out and in again elsewhere: the old session's lock no longer holds anything.
    r.logind.set_display("c4");
    assert_eq!(next(&mut r.watch, ARRIVES), Some(SessionEvent::Unlocked));
    r.logind.set_locked("c3", false);
    r.logind.set_locked("c3", true);
    assert_eq!(during(&mut r.watch, Duration::from_millis(300)), []);
}

#[test]
fn sleep_waits_until_the_daemon_has_handled_it() {
    let mut r = rig(Setup::default());
    let locks = r.logind.inhibitors();
    assert_eq!(locks.len(), 1);
    let first = &locks[0];
    assert_eq!(
        (&*first.what, &*first.who, &*first.why, &*first.mode),
        ("sleep", "hunch", "close the camera", "delay")
    );
    assert!(!first.released());

    r.logind.prepare_for_sleep(true);
    assert_eq!(next(&mut r.watch, ARRIVES), Some(SessionEvent::Sleeping));
    // The daemon is closing the camera: the machine waits.
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        !first.released(),
        "released before the daemon handled Sleeping"
    );
    // The daemon asks for the next event: Sleeping is handled, the lock goes.
    assert_eq!(r.watch.poll(), None);
    assert!(first.wait_released(ARRIVES));

    r.logind.prepare_for_sleep(false);
    assert_eq!(next(&mut r.watch, ARRIVES), Some(SessionEvent::Woke));
    // A new lock for the next sleep.
    assert!(r.logind.wait_for(|l| l.inhibitors().len() == 2));
    let second = r.logind.inhibitors()[1].clone();
    assert!(!second.released());
    // And a second night works the same way.
    r.logind.prepare_for_sleep(true);
    assert_eq!(next(&mut r.watch, ARRIVES), Some(SessionEvent::Sleeping));
    assert!(!second.released());
    r.logind.prepare_for_sleep(false);
    assert_eq!(next(&mut r.watch, ARRIVES), Some(SessionEvent::Woke));
    assert!(second.wait_released(ARRIVES));
    assert!(r.logind.wait_for(|l| l.inhibitors().len() == 3));
    // A watch that is dropped lets go of its lock.
    let third = r.logind.inhibitors()[2].clone();
    drop(r.watch);
    assert!(third.wait_released(ARRIVES));
}

#[test]
fn a_value_of_the_wrong_type_is_not_believed() {
    let mut r = rig(Setup::default());
    // "LockedHint": "yes", a string: the watch asks again instead, and hears "not locked".
    r.logind.send_bad_locked_hint("c2");
    assert!(r.logind.wait_for(|l| l.locked_hint_reads() == 2));
    assert_eq!(during(&mut r.watch, Duration::from_millis(200)), []);
    r.logind.set_locked("c2", true);
    assert_eq!(next(&mut r.watch, ARRIVES), Some(SessionEvent::Locked));
}

#[test]
fn without_a_bus_or_logind_nothing_is_ever_reported() {
    let _one_at_a_time = logind::exclusive();
    // No bus at all at DBUS_SYSTEM_BUS_ADDRESS.
    let _ = std::fs::remove_file(system_bus_socket());
    let mut w = Logind::start();
    assert_eq!(during(&mut w, Duration::from_millis(300)), []);
    // A bus, but nobody owns org.freedesktop.login1.
    let _bus = PrivateBus::start(&system_bus_socket());
    let mut w = Logind::start();
    assert_eq!(during(&mut w, Duration::from_millis(300)), []);
}

#[test]
fn when_the_bus_goes_away_a_held_lock_is_lifted() {
    let mut r = rig(Setup::default());
    r.logind.set_locked("c2", true);
    assert_eq!(next(&mut r.watch, ARRIVES), Some(SessionEvent::Locked));
    r.bus.kill();
    // Never locked from now on, so hunch keeps monitoring; and no panic.
    assert_eq!(next(&mut r.watch, ARRIVES), Some(SessionEvent::Unlocked));
    assert_eq!(during(&mut r.watch, Duration::from_millis(300)), []);
}
