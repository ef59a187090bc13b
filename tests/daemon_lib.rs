//! The daemon as a library type, driven without spawning the binary: a replay of the
//! bundled recording of a real person, the real pose engine on ONNX Runtime, a real SQLite
//! journal, and a virtual clock the test controls (or a sped-up real one). Commands come
//! in the ways a person gives them: the real control socket, and the notification's
//! button mapping (a stand-in for the notification server's D-Bus signal, which
//! tests/notifications.rs covers with a real dunst). Screen locks and sleep come from a
//! scripted watch, and once from the real logind watch over a private D-Bus bus.

mod common;
#[path = "harness/logind.rs"]
mod logind;

use std::sync::atomic::AtomicBool;
use std::sync::mpsc::{channel, Sender};
use std::sync::{Arc, Mutex};

use common::{demo_frames, demo_neutral, engine, tempdir};
use hunch::control::command::{Command, Incoming, Origin, PauseFor, Reply};
use hunch::daemon::session::{NoSession, SessionEvent, SessionWatch};
use hunch::daemon::{Daemon, Finished, Parts, Settings, StopReason};
use hunch::journal::Journal;
use hunch::monitor::Monitor;
use hunch::notify::{command_for_action, PrintNotifier, ACTION_PAUSE};
use hunch::platform::session::Logind;
use hunch::policy::PolicyParams;
use hunch::pose::models::ModelVariant;
use hunch::posture::{FilterParams, ModelParams, Neutral};
use hunch::recording::{Recording, Role};
use hunch::report::{store, DaySummary, Period};
use hunch::support::clock::{Clock, SystemClock, VirtualClock};
use hunch::vocab::{Event, EventKind, MonitorState, SampleRow};

/// 2026-11-24 10:00 UTC: a fixed start so two runs journal identical times.
const WALL0: i64 = 1_795_514_400_000;

fn tz() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::UTC
}

/// The demo's 300 monitored frames (1 upright minute, then 4 hunched), optionally with
/// the recording's clock jumping `gap` seconds after frame `at`.
fn recording(gap: Option<(usize, f64)>) -> Recording {
    let mut r = Recording::from_labelled("replay:demo".into(), &demo_frames(Role::Score), 1.0);
    if let Some((at, secs)) = gap {
        for f in &mut r.frames[at..] {
            f.t += secs;
        }
    }
    r
}

/// A session watch that reports changes at given clock times (a stand-in for logind).
/// After `Sleeping` the machine sleeps: the clock jumps by `SLEEP_S` before `Woke`.
struct Scripted {
    clock: VirtualClock,
    script: Arc<Mutex<Vec<(f64, SessionEvent)>>>,
}

const SLEEP_S: f64 = 3600.0;

impl SessionWatch for Scripted {
    fn poll(&mut self) -> Option<SessionEvent> {
        let mut s = self.script.lock().unwrap();
        match s.first() {
            Some((t, _)) if self.clock.now() >= *t => {
                let (_, event) = s.remove(0);
                if event == SessionEvent::Woke {
                    self.clock.advance(SLEEP_S);
                }
                Some(event)
            }
            _ => None,
        }
    }
}

struct Rig {
    daemon: Daemon,
    commands: Sender<Incoming>,
}

fn rig(
    name: &str,
    recording: Recording,
    clock: Box<dyn Clock>,
    session: Box<dyn SessionWatch>,
    neutral: Neutral,
) -> Rig {
    rig_with(
        name,
        Box::new(hunch::camera::replay::Replay::new(recording)),
        clock,
        session,
        neutral,
        &hunch::notify::stretches::DEFAULT_KINDS,
    )
}

fn rig_with(
    name: &str,
    source: Box<dyn hunch::camera::FrameSource>,
    clock: Box<dyn Clock>,
    session: Box<dyn SessionWatch>,
    neutral: Neutral,
    prompt_kinds: &[hunch::notify::stretches::PromptKind],
) -> Rig {
    let dir = tempdir(name);
    let (journal, _) = Journal::open(&dir.join("journal.sqlite")).unwrap();
    let (tx, commands) = channel();
    let daemon = Daemon::new(Parts {
        source,
        clock,
        monitor: Monitor::new(
            engine(ModelVariant::Full),
            neutral,
            ModelParams::default(),
            FilterParams::default(),
            PolicyParams::default(),
        ),
        notifier: Box::new(PrintNotifier::default()),
        journal,
        session,
        commands,
        settings: Settings {
            sample_interval: 1.0,
            max_sample_seconds: 5.0,
            retention_days: 365,
            tz: tz(),
            calibration: None,
            prompt_kinds: prompt_kinds.to_vec(),
        },
    })
    .unwrap();
    Rig {
        daemon,
        commands: tx,
    }
}

impl Rig {
    /// Ticks until the daemon's clock reaches `t` (or the recording ends).
    fn run_until(&mut self, clock: &dyn Clock, t: f64) {
        while clock.now() < t {
            if self.daemon.tick().unwrap().is_some() {
                return;
            }
        }
    }

    fn finish(mut self) -> Finished {
        let reason = self.daemon.run(&AtomicBool::new(false)).unwrap();
        self.daemon.finish(reason).unwrap()
    }
}

fn rows(j: &Journal) -> (Vec<SampleRow>, Vec<Event>) {
    (
        j.samples(i64::MIN, i64::MAX).unwrap(),
        j.events(i64::MIN, i64::MAX).unwrap(),
    )
}

/// The whole run summed as `hunch report` sums a day.
fn summary(f: &Finished) -> DaySummary {
    let start = f.first_wall_ms.unwrap();
    let end = f.last_wall_ms.unwrap();
    store::compute(
        &f.journal,
        &Period::span("run".into(), start, end, &tz()).unwrap(),
    )
    .unwrap()
}

#[test]
fn pause_from_the_socket_and_from_a_notification_button_are_one_command() {
    let n = demo_neutral(ModelVariant::Full);
    let clock_a = VirtualClock::starting_at(WALL0);
    let clock_b = VirtualClock::starting_at(WALL0);
    let mut a = rig(
        "lib-pause-socket",
        recording(None),
        Box::new(clock_a.clone()),
        Box::new(NoSession),
        n,
    );
    let mut b = rig(
        "lib-pause-button",
        recording(None),
        Box::new(clock_b.clone()),
        Box::new(NoSession),
        n,
    );
    // Both run into the hunched stretch, past the first alert.
    a.run_until(&clock_a, 230.0);
    b.run_until(&clock_b, 230.0);
    assert_eq!(clock_a.now(), clock_b.now());

    // A: "pause for today" through the real control socket, as the tray or a script
    // would send it.
    let dir = tempdir("lib-pause-sock");
    let sock = dir.join("control.sock");
    let (sock_tx, sock_rx) = channel();
    hunch::control::serve(&sock, sock_tx).unwrap();
    let client = std::thread::spawn(move || {
        hunch::control::request(
            &sock,
            &Command::Pause {
                length: PauseFor::Today,
            },
        )
        .unwrap()
    });
    let incoming: Incoming = sock_rx.recv().unwrap();
    assert_eq!(incoming.origin, Origin::Socket);
    a.commands.send(incoming).unwrap();
    // B: the notification's "Pause for today" button.
    b.commands
        .send(Incoming {
            command: command_for_action(ACTION_PAUSE, "chin_tuck"),
            origin: Origin::Notification,
            reply: None,
        })
        .unwrap();
    a.run_until(&clock_a, 231.0);
    b.run_until(&clock_b, 231.0);
    assert_eq!(
        client.join().unwrap(),
        Reply::Ok {
            message: "paused until midnight".into()
        }
    );

    let (fa, fb) = (a.finish(), b.finish());
    let (sa, ea) = rows(&fa.journal);
    let (sb, eb) = rows(&fb.journal);
    // Identical journals: every sample and every event, to the millisecond.
    assert_eq!(sa, sb);
    assert_eq!(ea, eb);
    assert_eq!(summary(&fa), summary(&fb));
    // And what they hold is a pause: one event, then only paused samples to the end.
    let pause = ea.iter().find(|e| e.kind == EventKind::Pause).unwrap();
    assert_eq!(pause.detail, "for today");
    let after: Vec<_> = sa.iter().filter(|s| s.t_ms > pause.t_ms).collect();
    // Held states are one growing row each, so count the time the rows stand for.
    let after_ms: i64 = after.iter().map(|s| s.dt_ms).sum();
    assert!(after_ms > 60_000, "{after_ms} ms paused after the pause");
    assert!(after.iter().all(|s| s.state == MonitorState::Paused));
    assert!(sa
        .iter()
        .filter(|s| s.t_ms < pause.t_ms)
        .any(|s| s.state == MonitorState::Hunched));
    assert_eq!(summary(&fa).pauses, 1);
}

#[test]
fn resuming_after_a_pause_does_not_count_any_time_twice() {
    let n = demo_neutral(ModelVariant::Full);
    let clock = VirtualClock::starting_at(WALL0);
    let mut r = rig(
        "lib-resume",
        recording(None),
        Box::new(clock.clone()),
        Box::new(NoSession),
        n,
    );
    r.run_until(&clock, 100.0);
    let reply = r
        .daemon
        .command(Command::Pause {
            length: PauseFor::UntilResumed,
        })
        .unwrap();
    assert!(matches!(reply, Reply::Ok { .. }), "{reply:?}");
    r.run_until(&clock, 160.0);
    let status = r.daemon.status().unwrap();
    assert_eq!(status.now.state, MonitorState::Paused);
    assert!(status.now.paused && status.now.paused_until_ms.is_none());
    r.daemon.command(Command::Resume).unwrap();
    let f = r.finish();
    let (samples, _) = rows(&f.journal);

    // Every sample stands for the time since the previous one: the intervals tile the run
    // with no overlap, paused time included once.
    for w in samples.windows(2) {
        assert!(w[1].t_ms > w[0].t_ms, "{w:?}");
        assert_eq!(w[1].t_ms - w[1].dt_ms, w[0].t_ms, "{w:?}");
    }
    let span = (samples.last().unwrap().t_ms - samples[0].t_ms) as f64 / 1000.0;
    let total: f64 = samples.iter().map(|s| s.dt_ms as f64 / 1000.0).sum();
    assert_eq!(total, span);
    let s = summary(&f);
    assert_eq!(s.monitored_s + s.paused_s + s.away_s, span);
    assert!((s.paused_s - 60.0).abs() <= 1.0, "{}", s.paused_s);
    // The minute paused is a row or two in the journal (one growing row per hold), not
    // one per second.
    let paused_rows = samples
        .iter()
        .filter(|r| r.state == MonitorState::Paused)
        .count();
    assert!((1..=2).contains(&paused_rows), "{paused_rows} paused rows");
    // The frames that fell due while paused were skipped, not replayed later: the run
    // still ends when the recording does.
    assert!((span - 299.0).abs() <= 1.0, "{span}");
}

#[test]
fn a_locked_screen_holds_monitoring_and_ends_the_episode() {
    let n = demo_neutral(ModelVariant::Full);
    let clock = VirtualClock::starting_at(WALL0);
    let script = Arc::new(Mutex::new(vec![
        (100.0, SessionEvent::Locked),
        (130.0, SessionEvent::Unlocked),
    ]));
    let r = rig(
        "lib-lock",
        recording(None),
        Box::new(clock.clone()),
        Box::new(Scripted {
            clock: clock.clone(),
            script,
        }),
        n,
    );
    let f = r.finish();
    let (samples, events) = rows(&f.journal);
    let at = |k| events.iter().find(|e| e.kind == k).unwrap().t_ms;
    let (locked, unlocked) = (at(EventKind::Locked), at(EventKind::Unlocked));
    assert_eq!(unlocked - locked, 30_000);
    let during: Vec<_> = samples
        .iter()
        .filter(|s| s.t_ms > locked && s.t_ms < unlocked)
        .collect();
    let during_ms: i64 = during.iter().map(|s| s.dt_ms).sum();
    assert!(during_ms >= 28_000, "{during_ms} ms locked");
    assert!(during.iter().all(|s| s.state == MonitorState::Locked));
    // Hunched before and after the lock: two episodes, the lock splits them.
    let s = summary(&f);
    assert_eq!(s.episodes, 2, "{:?}", s.timeline);
    assert!((s.paused_s - 30.0).abs() <= 1.0, "{}", s.paused_s);
    // Unlocked, this recording alerts at about 212 s (`hunch demo`). The lock ended that
    // episode at 100 s, and the next had not lasted 3 minutes when the recording ended.
    assert!(
        events.iter().all(|e| e.kind != EventKind::Alert),
        "{events:?}"
    );
}

#[test]
fn a_night_asleep_is_not_monitored_time() {
    let n = demo_neutral(ModelVariant::Full);
    let clock = VirtualClock::starting_at(WALL0);
    let script = Arc::new(Mutex::new(vec![
        (100.0, SessionEvent::Sleeping),
        (100.0, SessionEvent::Woke),
    ]));
    let r = rig(
        "lib-sleep",
        recording(None),
        Box::new(clock.clone()),
        Box::new(Scripted {
            clock: clock.clone(),
            script,
        }),
        n,
    );
    let f = r.finish();
    let (samples, events) = rows(&f.journal);
    let kinds: Vec<_> = events.iter().map(|e| e.kind).collect();
    assert!(
        kinds
            .windows(2)
            .any(|w| w == [EventKind::Sleep, EventKind::Wake]),
        "{kinds:?}"
    );
    let wake = events.iter().find(|e| e.kind == EventKind::Wake).unwrap();
    let sleep = events.iter().find(|e| e.kind == EventKind::Sleep).unwrap();
    assert!(wake.t_ms - sleep.t_ms >= 3_600_000);
    // No sample claims any of the hour asleep.
    for s in &samples {
        assert!(
            s.t_ms - s.dt_ms >= wake.t_ms || s.t_ms <= sleep.t_ms,
            "{s:?} reaches into the sleep"
        );
    }
    let total: f64 = samples.iter().map(|s| s.dt_ms as f64 / 1000.0).sum();
    assert!(total <= 101.0, "{total}");
}

/// Between the session's `Sleeping` and `Woke`, as the daemon was told them.
#[derive(Clone, Default)]
struct Asleep(Arc<std::sync::atomic::AtomicBool>);

/// A session watch passing another's events on, noting sleep and wake.
struct Noting<W: SessionWatch>(W, Asleep);

impl<W: SessionWatch> SessionWatch for Noting<W> {
    fn poll(&mut self) -> Option<SessionEvent> {
        let e = self.0.poll();
        match e {
            Some(SessionEvent::Sleeping) => {
                self.1 .0.store(true, std::sync::atomic::Ordering::SeqCst)
            }
            Some(SessionEvent::Woke) => self.1 .0.store(false, std::sync::atomic::Ordering::SeqCst),
            _ => {}
        }
        e
    }
}

/// A source that counts the times it was asked for a frame while the machine slept: the
/// camera would have been opened then.
struct Spy {
    inner: hunch::camera::replay::Replay,
    asleep: Asleep,
    polls_asleep: Arc<std::sync::atomic::AtomicUsize>,
}

impl hunch::camera::FrameSource for Spy {
    fn poll(
        &mut self,
        clock: &dyn Clock,
        wait: std::time::Duration,
    ) -> Result<hunch::camera::Poll, hunch::camera::SourceError> {
        if self.asleep.0.load(std::sync::atomic::Ordering::SeqCst) {
            self.polls_asleep
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        self.inner.poll(clock, wait)
    }
    fn release(&mut self, clock: &dyn Clock) -> bool {
        self.inner.release(clock)
    }
    fn next_frame(&mut self) -> Result<Option<hunch::camera::Frame>, hunch::camera::SourceError> {
        self.inner.next_frame()
    }
    fn id(&self) -> String {
        self.inner.id()
    }
}

/// Ticks until the journal holds an event of `kind`, calling `before` ahead of every tick;
/// returns the daemon's clock then.
fn tick_until_journaled(r: &mut Rig, kind: EventKind, mut before: impl FnMut()) -> f64 {
    let t = std::time::Instant::now();
    loop {
        before();
        assert_eq!(r.daemon.tick().unwrap(), None, "the recording ended");
        let events = r.daemon.journal().events(i64::MIN, i64::MAX).unwrap();
        if events.iter().any(|e| e.kind == kind) {
            return r.daemon.now();
        }
        assert!(t.elapsed().as_secs() < 10, "no {kind:?} journaled");
    }
}

/// The real logind watch, against a stand-in logind on a private D-Bus bus
/// (tests/harness/logind.rs; logind itself cannot run here): a lock holds monitoring; a
/// sleep is journaled, claims none of the hour asleep, and the machine is let sleep only
/// once the daemon has handled it (the camera closed, the journal flushed).
#[test]
fn lock_and_sleep_from_logind_over_dbus() {
    let _one_at_a_time = logind::exclusive();
    let bus = logind::PrivateBus::start(&logind::system_bus_socket());
    let stand_in = logind::StandIn::start(&bus.address, logind::Setup::default());
    let n = demo_neutral(ModelVariant::Full);
    let clock = VirtualClock::starting_at(WALL0);
    // The webcam sees nothing while the machine sleeps: the recording has the hour's gap.
    let asleep = Asleep::default();
    let polls_asleep = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut r = rig_with(
        "lib-logind",
        Box::new(Spy {
            inner: hunch::camera::replay::Replay::new(recording(Some((60, SLEEP_S)))),
            asleep: asleep.clone(),
            polls_asleep: Arc::clone(&polls_asleep),
        }),
        Box::new(clock.clone()),
        Box::new(Noting(Logind::start(), asleep)),
        n,
        &hunch::notify::stretches::DEFAULT_KINDS,
    );
    assert!(stand_in.wait_for(|l| l.locked_hint_reads() == 1 && l.inhibitors().len() == 1));

    r.run_until(&clock, 20.0);
    stand_in.set_locked("c2", true);
    let locked_at = tick_until_journaled(&mut r, EventKind::Locked, || {});
    r.run_until(&clock, locked_at + 15.0);
    stand_in.set_locked("c2", false);
    tick_until_journaled(&mut r, EventKind::Unlocked, || {});

    // Evening: the last frame before the gap, then logind announces sleep.
    r.run_until(&clock, 59.5);
    stand_in.prepare_for_sleep(true);
    let delay = stand_in.inhibitors()[0].clone();
    tick_until_journaled(&mut r, EventKind::Sleep, || {
        assert!(
            !delay.released(),
            "sleep let go before the daemon handled it"
        )
    });
    // Handled (the camera released, the journal flushed), the daemon asked for its next
    // event in the same turn, and so the machine may sleep. (That the lock is held until
    // then is tests/logind.rs's sleep test; that the sleep is on disk by then, tests/daemon.rs.)
    assert!(delay.wait_released(std::time::Duration::from_secs(5)));
    // An hour later the machine wakes; logind says so (the watch takes a new delay lock
    // right after passing `Woke` on, so it is waiting by the daemon's next turn).
    clock.advance(SLEEP_S);
    stand_in.prepare_for_sleep(false);
    assert!(stand_in.wait_for(|l| l.inhibitors().len() == 2));
    r.run_until(&clock, clock.now() + 20.0);
    // From `Sleeping` to `Woke` the camera was never asked for a frame.
    assert_eq!(polls_asleep.load(std::sync::atomic::Ordering::SeqCst), 0);
    let f = r.daemon.finish(StopReason::Signal).unwrap();

    let (samples, events) = rows(&f.journal);
    let kinds: Vec<_> = events.iter().map(|e| e.kind).collect();
    let at = |k| events.iter().find(|e| e.kind == k).unwrap().t_ms;
    let (locked, unlocked) = (at(EventKind::Locked), at(EventKind::Unlocked));
    let (sleep, wake) = (at(EventKind::Sleep), at(EventKind::Wake));
    assert!(
        locked < unlocked && unlocked < sleep && sleep < wake,
        "{kinds:?}"
    );
    assert!(wake - sleep >= 3_600_000, "{kinds:?}");
    // Locked samples, and only those, while locked; measured ones before and after.
    let during: Vec<_> = samples
        .iter()
        .filter(|s| s.t_ms > locked && s.t_ms < unlocked)
        .collect();
    let during_ms: i64 = during.iter().map(|s| s.dt_ms).sum();
    assert!(during_ms >= 13_000, "{during_ms} ms locked");
    assert!(during.iter().all(|s| s.state == MonitorState::Locked));
    assert!(samples
        .iter()
        .filter(|s| s.t_ms > unlocked)
        .any(|s| s.state != MonitorState::Locked));
    // No sample claims any of the hour asleep, and monitoring went on after waking.
    for s in &samples {
        assert!(
            s.t_ms <= sleep || s.t_ms - s.dt_ms >= wake,
            "{s:?} reaches into the sleep"
        );
    }
    assert!(samples.iter().filter(|s| s.t_ms > wake).count() >= 15);
    // The samples cover at most the time awake: from the start to the sleep, and
    // from waking to the last sample (how far the virtual clock ran while logind's signals
    // crossed the bus depends on the machine's load, so the bound is taken from the run).
    let total: f64 = samples.iter().map(|s| s.dt_ms as f64 / 1000.0).sum();
    let start = at(EventKind::Start);
    let last = samples.iter().map(|s| s.t_ms).max().unwrap();
    let awake = ((sleep - start) + (last - wake)) as f64 / 1000.0;
    assert!(
        total <= awake + 1e-6,
        "{total} s of samples, {awake} s awake"
    );
    let s = summary(&f);
    assert!(
        (s.paused_s - (unlocked - locked) as f64 / 1000.0).abs() <= 1.0,
        "{}",
        s.paused_s
    );
    drop(bus);
}

/// Drives a daemon through the recording (with a 90-s gap after frame 150) with a snooze
/// at 20 s and a 30-s pause at 270 s of its clock, and sums the run.
fn scripted_run(name: &str, clock: Box<dyn Clock>, n: Neutral) -> (Finished, DaySummary) {
    let mut r = rig(
        name,
        recording(Some((150, 90.0))),
        clock,
        Box::new(NoSession),
        n,
    );
    let mut script = vec![
        (
            20.0,
            Command::Snooze {
                seconds: Some(600.0),
            },
        ),
        (
            270.0,
            Command::Pause {
                length: PauseFor::Seconds(30.0),
            },
        ),
    ];
    loop {
        if script.first().is_some_and(|(t, _)| r.daemon.now() >= *t) {
            let (_, c) = script.remove(0);
            let reply = r.daemon.command(c).unwrap();
            assert!(matches!(reply, Reply::Ok { .. }), "{reply:?}");
        }
        if let Some(reason) = r.daemon.tick().unwrap() {
            let status = r.daemon.status().unwrap();
            let f = r.daemon.finish(reason).unwrap();
            // The status sums today the way the report does.
            let last = jiff::Timestamp::from_millisecond(f.last_wall_ms.unwrap()).unwrap();
            let today = store::day(&f.journal, last.to_zoned(tz()).date(), &tz()).unwrap();
            assert_eq!(status.today_hunched_s, today.hunched_s);
            assert_eq!(status.today_monitored_s, today.monitored_s);
            let s = summary(&f);
            return (f, s);
        }
    }
}

#[test]
fn paced_and_fast_replays_agree_with_a_snooze_a_pause_and_a_gap() {
    let n = demo_neutral(ModelVariant::Full);
    let (fast, fs) = scripted_run("lib-fast", Box::new(VirtualClock::starting_at(WALL0)), n);
    let (_, ps) = scripted_run("lib-paced", Box::new(SystemClock::with_speed(5.0)), n);
    eprintln!(
        "fast: hunched {} s, monitored {} s, paused {} s, episodes {}; paced x5: hunched {} s, monitored {} s, paused {} s, episodes {}",
        fs.hunched_s, fs.monitored_s, fs.paused_s, fs.episodes, ps.hunched_s, ps.monitored_s, ps.paused_s, ps.episodes
    );
    assert!((fs.hunched_s - ps.hunched_s).abs() <= 2.0);
    assert!((fs.monitored_s - ps.monitored_s).abs() <= 2.0);
    assert!((fs.paused_s - ps.paused_s).abs() <= 2.0);
    assert_eq!(fs.episodes, ps.episodes);
    assert_eq!((fs.snoozes, fs.pauses), (1, 1));
    assert_eq!((ps.snoozes, ps.pauses), (1, 1));
    // The 90-s gap in the recording split the hunch, and the pause split it again.
    assert_eq!(fs.episodes, 3, "{:?}", fs.timeline);
    assert!((fs.paused_s - 30.0).abs() <= 1.0, "{}", fs.paused_s);
    // The gap is a gap, not monitored time (its first sample claims at most 5 s).
    let span = (fast.last_wall_ms.unwrap() - fast.first_wall_ms.unwrap()) as f64 / 1000.0;
    let counted = fs.monitored_s + fs.paused_s + fs.away_s;
    assert!((span - counted - 85.0).abs() <= 1.0, "{span} vs {counted}");
    // Snoozed at 20 s for 10 minutes: no alert although the hunch went on.
    assert_eq!((fs.alerts, ps.alerts), (0, 0));
}

/// `[prompts] kinds` reaches the alerts: with self-massage only, every alert of a sustained
/// hunch suggests self-massage, none a stretch; by default, stretches.
#[test]
fn the_configured_prompt_kinds_are_what_alerts_suggest() {
    use hunch::notify::stretches::{by_id, PromptKind};
    let n = demo_neutral(ModelVariant::Full);
    let kinds_of = |name: &str, kinds: &[PromptKind]| {
        let clock = VirtualClock::starting_at(WALL0);
        let r = rig_with(
            name,
            Box::new(hunch::camera::replay::Replay::new(recording(None))),
            Box::new(clock),
            Box::new(NoSession),
            n,
            kinds,
        );
        let done = r.finish();
        rows(&done.journal)
            .1
            .into_iter()
            .filter(|e| e.kind == EventKind::Alert)
            .map(|e| {
                let id = e.detail.split(' ').next().unwrap_or_default().to_string();
                by_id(&id)
                    .unwrap_or_else(|| panic!("alert names {id}"))
                    .kind
            })
            .collect::<Vec<_>>()
    };
    let massage = kinds_of("lib-kinds-massage", &[PromptKind::SelfMassage]);
    assert!(!massage.is_empty());
    assert!(
        massage.iter().all(|k| *k == PromptKind::SelfMassage),
        "{massage:?}"
    );
    let default = kinds_of(
        "lib-kinds-default",
        &hunch::notify::stretches::DEFAULT_KINDS,
    );
    assert!(!default.is_empty());
    assert!(
        default.iter().all(|k| *k == PromptKind::Stretch),
        "{default:?}"
    );
}

/// A stand-in for the process being stopped (SIGSTOP) or the wall clock jumping forward:
/// at `at` seconds the clock moves on by `by` seconds with nothing running meanwhile.
struct Stall {
    clock: VirtualClock,
    at: f64,
    by: f64,
    done: bool,
}

impl SessionWatch for Stall {
    fn poll(&mut self) -> Option<SessionEvent> {
        if !self.done && self.clock.now() >= self.at {
            self.done = true;
            self.clock.advance(self.by);
        }
        None
    }
}

/// Monitored time of the demo sampled as the camera would be at the defaults (1 s while a
/// hunch may be forming, 6 s when steady), with the process stalled for `stall` seconds a
/// minute in.
fn camera_paced_run(name: &str, n: Neutral, stall: f64) -> (f64, f64) {
    let clock = VirtualClock::starting_at(WALL0);
    let camera = hunch::camera::CameraParams::default();
    let (journal, _) = Journal::open(&tempdir(name).join("journal.sqlite")).unwrap();
    let (_tx, commands) = channel();
    let mut daemon = Daemon::new(Parts {
        source: Box::new(hunch::camera::replay::Replay::new(recording(None)).paced(camera)),
        clock: Box::new(clock.clone()),
        monitor: Monitor::new(
            engine(ModelVariant::Full),
            n,
            ModelParams::default(),
            FilterParams::default(),
            PolicyParams::default(),
        ),
        notifier: Box::new(PrintNotifier::default()),
        journal,
        session: Box::new(Stall {
            clock,
            at: 60.0,
            by: stall,
            done: stall == 0.0,
        }),
        commands,
        settings: Settings {
            sample_interval: camera.interval_seconds,
            max_sample_seconds: camera.max_sample_seconds(),
            retention_days: 365,
            tz: tz(),
            calibration: None,
            prompt_kinds: hunch::notify::stretches::DEFAULT_KINDS.to_vec(),
        },
    })
    .unwrap();
    let reason = daemon.run(&AtomicBool::new(false)).unwrap();
    let f = daemon.finish(reason).unwrap();
    let s = summary(&f);
    (s.monitored_s + s.away_s, camera.steady_interval_seconds)
}

#[test]
fn a_stopped_process_or_a_clock_jump_is_a_gap_not_monitored_time() {
    let n = demo_neutral(ModelVariant::Full);
    let (whole, _) = camera_paced_run("lib-no-stall", n, 0.0);
    let (stalled, interval) = camera_paced_run("lib-stall", n, 120.0);
    // The two minutes stalled were not watched: they count as nothing, but for the one
    // interval the first sample after them stands for (before, up to 18 s were claimed).
    eprintln!("without a stall {whole} s, with a 120-s stall {stalled} s");
    assert!(
        stalled <= whole - 120.0 + interval + 1.0,
        "{stalled} s counted, {whole} s without the stall"
    );
    assert!(
        stalled >= whole - 120.0 - 2.0 * interval,
        "{stalled} vs {whole}"
    );
}
