//! `hunch window`'s pages, driven headless through egui's AccessKit tree (egui_kittest):
//! the pages are clicked and read as a screen reader would, while the data behind them
//! comes from the real chain — the bundled recording of a real person through the real
//! pose engine on ONNX Runtime into a real SQLite journal, or a real `hunch run` over its
//! control socket. A real window under Xvfb is `hunch window --screenshot` (at the end).

mod common;

use std::process::Command as Process;
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

use common::{demo_frames, demo_neutral, engine, tempdir, MonitorEnv};
use egui::Role;
use egui_kittest::kittest::{AccessKitNode, NodeT, Queryable};
use egui_kittest::Harness;
use hunch::control::command::{Command, Reply};
use hunch::daemon::session::NoSession;
use hunch::daemon::{Daemon, Parts, Settings};
use hunch::journal::Journal;
use hunch::live::Quiet;
use hunch::monitor::Monitor;
use hunch::policy::PolicyParams;
use hunch::pose::models::ModelVariant;
use hunch::posture::{FilterParams, ModelParams};
use hunch::recording::{Recording, Role as FrameRole};
use hunch::support::clock::VirtualClock;
use hunch::vocab::MonitorState;
use hunch::window::{Frame, Page, Seen, Shared, Source, Watcher, WindowApp};

/// A daemon on the demo's first three minutes (one upright, then hunched) whose samples
/// fall in today, so the Today page has them.
fn demo_daemon(journal: &std::path::Path) -> Daemon {
    // Cut three minutes in, while hunched: the view stays on a hunch once it ends.
    let frames = demo_frames(FrameRole::Score);
    let recording = Recording::from_labelled("replay:demo".into(), &frames[..180], 1.0);
    let tz = jiff::tz::TimeZone::system();
    let midnight = jiff::Zoned::now()
        .with_time_zone(tz)
        .start_of_day()
        .unwrap()
        .timestamp()
        .as_millisecond();
    let (journal, _) = Journal::open(journal).unwrap();
    let (_tx, commands) = channel();
    Daemon::new(Parts {
        source: Box::new(hunch::camera::replay::Replay::new(recording)),
        // A minute past midnight: the 5 min of the recording are all today.
        clock: Box::new(VirtualClock::starting_at(midnight + 60_000)),
        monitor: Monitor::new(
            engine(ModelVariant::Lite),
            demo_neutral(ModelVariant::Lite),
            ModelParams::default(),
            FilterParams::default(),
            PolicyParams::default(),
        ),
        notifier: Box::new(Quiet),
        journal,
        session: Box::new(NoSession),
        commands,
        settings: Settings {
            sample_interval: 1.0,
            max_sample_seconds: 5.0,
            retention_days: 365,
            tz: jiff::tz::TimeZone::system(),
            calibration: None,
            prompt_kinds: hunch::notify::stretches::DEFAULT_KINDS.to_vec(),
        },
    })
    .unwrap()
}

fn frame(journal: Option<std::path::PathBuf>) -> Frame {
    Frame {
        goal_hunched_share: 0.2,
        enter_deg: FilterParams::default().enter_deg,
        exit_deg: FilterParams::default().exit_deg,
        report_dir: None,
        journal,
    }
}

/// Waits (up to `secs`) until `ok` holds for what the window sees.
fn wait_for(shared: &Shared, secs: u64, what: &str, ok: impl Fn(&Seen) -> bool) {
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(secs) {
        if ok(&shared.seen()) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!(
        "{what} within {secs} s; the window saw {:?}",
        shared.seen().view
    );
}

/// An image whose words (what a screen reader says) contain `words`.
fn image_labelled(n: &AccessKitNode<'_>, words: &str) -> bool {
    n.role() == Role::Image && n.label().is_some_and(|l| l.contains(words))
}

fn harness(app: WindowApp) -> Harness<'static, WindowApp> {
    Harness::builder()
        .with_size(egui::vec2(960.0, 640.0))
        .build_ui_state(|ui, app: &mut WindowApp| app.ui(ui), app)
}

#[test]
fn the_now_and_today_pages_show_what_the_chain_sees_in_a_real_recording() {
    let dir = tempdir("window-own");
    let journal = dir.join("journal.sqlite");
    let shared = Shared::default();
    let watcher = Watcher::start(
        Source::Own {
            daemon: Box::new(demo_daemon(&journal)),
            journal: journal.clone(),
        },
        "replay:demo".into(),
        shared.clone(),
    )
    .unwrap();
    // To the end of the recording, hunched, and the day read once more after it.
    wait_for(
        &shared,
        180,
        "the end, hunched, with today's summary",
        |s| {
            s.ended.is_some()
                && s.view
                    .as_ref()
                    .is_some_and(|v| v.state == MonitorState::Hunched)
                && s.picture.is_some()
                && s.day.as_ref().is_some_and(|d| d.hunched_s > 0.0)
        },
    );
    // What the window shows from here on does not move.
    drop(watcher.stop());

    let mut h = harness(WindowApp::new(
        shared.clone(),
        frame(Some(journal)),
        Page::Now,
    ));
    h.run();
    // The state, in words.
    h.get_by_label("hunched");
    // The picture, with the landmarks found on the real frame and the neck line.
    let picture = h.get_by(|n| image_labelled(n, "upper-body landmarks"));
    let words = picture.accesskit_node().label().unwrap_or_default();
    let found: u32 = words
        .split_whitespace()
        .nth(2)
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(found >= 7, "{words}");
    assert!(words.contains("neck line"), "{words}");
    // The gauge: the angle as the monitor reads it, past the enter threshold.
    let seen = shared.seen().clone();
    let v = seen.view.as_ref().unwrap();
    let gauge = h.get_by_role(Role::Meter);
    let value = gauge.accesskit_node().numeric_value().unwrap();
    assert_eq!(value as f32, v.forward_deg.unwrap());
    assert!(value as f32 >= v.live.exit_deg, "hunched at {value}°");
    h.get_by_label_contains("Hunching starts at");
    h.get_by_label_contains("hunching for");

    // To the Today page by its tab, as a click would.
    h.get_by_label("Today").click();
    h.run();
    assert_eq!(h.state().page(), Page::Today);
    let day = seen.day.as_ref().unwrap();
    let heading = format!(
        "Today {} hunched",
        hunch::support::human::percent(day.hunched_share)
    );
    h.get_by_label(&heading);
    h.get_by(|n| image_labelled(n, "hunched time by hour: 00h"));
    h.get_by_label("Open the full report");
    // And back with the keyboard: the "Now" tab focused, Enter.
    h.get_by_label("Now").focus();
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    assert_eq!(h.state().page(), Page::Now);
}

#[test]
fn against_a_running_monitor_the_window_shows_its_readings() {
    let env = MonitorEnv::new("window");
    let mut child = env.start();
    let socket = hunch::platform::ipc::endpoint(&env.home.join("run/hunch"));
    let shared = Shared::default();
    let watcher = Watcher::start(
        Source::Monitor {
            socket,
            journal: env.journal(),
        },
        "the running monitor".into(),
        shared.clone(),
    )
    .unwrap();
    wait_for(
        &shared,
        30,
        "a reading and a picture from the monitor",
        |s| s.view.as_ref().is_some_and(|v| v.forward_deg.is_some()) && s.picture.is_some(),
    );
    let mut h = harness(WindowApp::new(shared.clone(), frame(None), Page::Now));
    h.run_steps(3);
    h.get_by_label("upright");
    h.get_by_label("the running monitor");
    // The monitor's own frame, with the landmarks it found on it.
    let picture = h.get_by(|n| image_labelled(n, "upper-body landmarks"));
    let words = picture.accesskit_node().label().unwrap_or_default();
    assert!(words.contains("neck line"), "{words}");
    // Closing the window never stops the monitor.
    drop(h);
    drop(watcher.stop());
    assert!(env.cmd(&["status"]).output().unwrap().status.success());
    common::signal(&child, "TERM");
    assert!(child.wait().unwrap().success());
}

/// The real window: eframe on Xvfb with Mesa's OpenGL, the demo recording, a screenshot
/// of the Now page once 40 pictures were shown.
#[test]
fn the_window_opens_under_xvfb_and_draws_the_picture() {
    if Process::new("xvfb-run").arg("--help").output().is_err() {
        common::skip("no xvfb-run");
        return;
    }
    let env = MonitorEnv::new("window-x");
    let out = tempdir("window-shot").join("now.png");
    let o = Process::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1280x800x24"])
        .arg(env!("CARGO_BIN_EXE_hunch"))
        .args(["window", "--speed", "20", "--source"])
        .arg(common::fixture("demo"))
        .arg("--screenshot")
        .arg(&out)
        .args(["--after-pictures", "40"])
        .envs(
            env.cmd(&[])
                .get_envs()
                .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned()))),
        )
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let png = image::open(&out).unwrap().to_rgb8();
    assert_eq!(png.dimensions(), (960, 620));
    // The picture sits at the top left of the page: real camera pixels there, not the
    // window's flat background.
    let background = *png.get_pixel(950, 600);
    let differing = (20..300)
        .step_by(7)
        .flat_map(|y| (20..300).step_by(7).map(move |x| (x, y)))
        .filter(|&(x, y)| *png.get_pixel(x, y) != background)
        .count();
    assert!(
        differing > 1000,
        "only {differing} pixels differ from the background"
    );
}

/// The monitor makes a picture only while a window asks for one, and hands out only a
/// newer one than the window has.
#[test]
fn the_monitor_keeps_a_picture_only_while_a_window_asks() {
    let dir = tempdir("window-sight");
    let mut d = demo_daemon(&dir.join("journal.sqlite"));
    let sight = |d: &mut Daemon, after_ms| d.command(Command::Sight { after_ms }).unwrap();
    let next_frame = |d: &mut Daemon| {
        let before = d.live_status().live.frame_wall_ms;
        while d.live_status().live.frame_wall_ms == before {
            assert!(d.tick().unwrap().is_none(), "the recording ended");
        }
    };
    // Nobody asked yet: frames come and go, no picture is made.
    next_frame(&mut d);
    next_frame(&mut d);
    assert!(matches!(sight(&mut d, None), Reply::Ok { .. }));
    // Asked: the next frame's picture, with its time.
    next_frame(&mut d);
    let Reply::Sight(s) = sight(&mut d, None) else {
        panic!("no picture after an ask and a frame");
    };
    assert_eq!(Some(s.frame_wall_ms), d.live_status().live.frame_wall_ms);
    let p = s.picture(1).unwrap();
    assert!(p.points.iter().flatten().count() >= 7);
    // The window has it: nothing newer yet.
    assert!(matches!(
        sight(&mut d, Some(s.frame_wall_ms)),
        Reply::Ok { .. }
    ));
    // The window closed (no more asks): after a few seconds of frames, no picture is kept.
    for _ in 0..8 {
        next_frame(&mut d);
    }
    assert!(
        matches!(sight(&mut d, None), Reply::Ok { .. }),
        "a picture was kept with no window asking"
    );
}
