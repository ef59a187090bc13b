//! nokhwa's real V4L2 path without a camera: a user-space fake `/dev/video0`
//! (tests/fake_v4l2/fake_v4l2.c, built here and loaded with LD_PRELOAD) answers the
//! directory listing, open, ioctl/syscall(SYS_ioctl), mmap and close like a small UVC
//! webcam, serving MJPEG and YUYV frames made from a real photo.
//!
//! The fake camera is shared between processes like a real one (the first to stream holds
//! it, the others get EBUSY), and its node is a real file that inotify watches, so the
//! camera-sharing tests run hunch's production watcher against another process: a small
//! "video call" (tests/fake_v4l2/videocall.c) using the same fake device.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::{event_kinds, fixture, hunch_in};
use hunch::journal::Journal;
use hunch::vocab::{EventKind, MonitorState};

/// The fake "video call" program, built once.
fn videocall_program() -> &'static Path {
    static PROG: OnceLock<PathBuf> = OnceLock::new();
    PROG.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("hunch-videocall-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // Named like the app it plays: /proc/PID/comm is what hunch reports.
        let out = dir.join("videocall");
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fake_v4l2/videocall.c");
        let status = Command::new("cc")
            .args(["-O2", "-Wall", "-o"])
            .arg(&out)
            .arg(&src)
            .status()
            .expect("a C compiler (cc), installed by scripts/setup");
        assert!(status.success(), "building the fake video call failed");
        out
    })
}

/// RGB → YUYV 4:2:2 (BT.601, full range), as a webcam would send it.
fn yuyv(img: &image::RgbImage) -> Vec<u8> {
    let mut out = Vec::with_capacity((img.width() * img.height() * 2) as usize);
    for y in 0..img.height() {
        for x in (0..img.width()).step_by(2) {
            let p = [img.get_pixel(x, y).0, img.get_pixel(x + 1, y).0].map(|p| p.map(f32::from));
            let luma = |p: [f32; 3]| 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
            let u = p
                .iter()
                .map(|p| -0.169 * p[0] - 0.331 * p[1] + 0.5 * p[2] + 128.0)
                .sum::<f32>()
                / 2.0;
            let v = p
                .iter()
                .map(|p| 0.5 * p[0] - 0.419 * p[1] - 0.081 * p[2] + 128.0)
                .sum::<f32>()
                / 2.0;
            out.extend([luma(p[0]), u, luma(p[1]), v].map(|c| c.round().clamp(0.0, 255.0) as u8));
        }
    }
    out
}

struct Env {
    home: PathBuf,
    dev: PathBuf,
}

impl Env {
    fn new(name: &str, camera_config: &str) -> Env {
        let home = std::env::temp_dir().join(format!("hunch-cam-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&home);
        let dev = home.join("dev");
        std::fs::create_dir_all(&dev).unwrap();
        std::fs::write(dev.join("present"), b"").unwrap();
        let photo = image::open(fixture("webcam_like.png")).unwrap().to_rgb8();
        for (w, h) in [(640, 480), (320, 240)] {
            let img = image::imageops::resize(&photo, w, h, image::imageops::FilterType::Triangle);
            img.save(dev.join(format!("mjpg-{w}x{h}.jpg"))).unwrap();
            std::fs::write(dev.join(format!("yuyv-{w}x{h}.raw")), yuyv(&img)).unwrap();
            // What the camera shows while its exposure settles (used with a `warmup` file).
            let dark = image::RgbImage::from_pixel(w, h, image::Rgb([3, 3, 3]));
            dark.save(dev.join(format!("dark-mjpg-{w}x{h}.jpg")))
                .unwrap();
            std::fs::write(dev.join(format!("dark-yuyv-{w}x{h}.raw")), yuyv(&dark)).unwrap();
        }
        let config = home.join("config/hunch");
        std::fs::create_dir_all(&config).unwrap();
        std::fs::write(
            config.join("config.toml"),
            format!("[camera]\n{camera_config}\n"),
        )
        .unwrap();
        let env = Env { home, dev };
        // Calibrate on the same photo, from a recording.
        let still = env.home.join("still");
        std::fs::create_dir_all(&still).unwrap();
        for i in 0..6 {
            std::fs::copy(fixture("webcam_like.png"), still.join(format!("f{i}.png"))).unwrap();
        }
        let o = env
            .cmd(&["calibrate", "--source", still.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        env
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = hunch_in(&self.home);
        c.args(args)
            .env("HUNCH_FAKE_V4L2", &self.dev)
            .env("LD_PRELOAD", common::fake_v4l2_library());
        c
    }

    fn log(&self) -> Vec<String> {
        std::fs::read_to_string(self.dev.join("log"))
            .unwrap_or_default()
            .lines()
            .map(String::from)
            .collect()
    }

    fn count(&self, what: &str) -> usize {
        self.log().iter().filter(|l| l.starts_with(what)).count()
    }

    fn run_for(&self, seconds: f64, during: impl FnOnce(&Env)) -> Journal {
        self.run_monitor(seconds, |env, _| during(env)).journal
    }

    /// Runs `hunch run` for `seconds` (of which `during` takes its part) and stops it with
    /// SIGTERM. `during` gets the monitor's pid.
    fn run_monitor(&self, seconds: f64, during: impl FnOnce(&Env, u32)) -> Run {
        let log = self.home.join("run.log");
        let mut child: Child = self
            .cmd(&["run"])
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let t = Instant::now();
        during(self, child.id());
        if let Some(rest) = Duration::from_secs_f64(seconds).checked_sub(t.elapsed()) {
            std::thread::sleep(rest);
        }
        assert!(Command::new("kill")
            .args(["-s", "TERM", &child.id().to_string()])
            .status()
            .unwrap()
            .success());
        assert!(child.wait().unwrap().success());
        Run {
            pid: child.id(),
            journal: Journal::open(&self.home.join("data/hunch/journal.sqlite"))
                .unwrap()
                .0,
            stderr: std::fs::read_to_string(log).unwrap_or_default(),
        }
    }

    /// Realistic warm-up for the fake camera: the first frame `startup_ms` after STREAMON,
    /// the first `dark` frames dark.
    fn warmup(&self, startup_ms: u32, dark: u32) {
        std::fs::write(self.dev.join("warmup"), format!("{startup_ms} {dark}")).unwrap();
    }

    /// The shared timeline: (unix ms, pid, what) for every process using the fake camera.
    fn timeline(&self) -> Vec<(i64, u32, String)> {
        std::fs::read_to_string(self.dev.join("timeline"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| {
                let mut f = l.split(' ');
                Some((
                    f.next()?.parse().ok()?,
                    f.next()?.parse().ok()?,
                    f.next()?.into(),
                ))
            })
            .collect()
    }

    /// When `pid` had the device open: (open, close) in unix ms.
    fn open_spans(&self, pid: u32) -> Vec<(i64, i64)> {
        let mut spans = Vec::new();
        let mut since = None;
        for (t, p, what) in self.timeline() {
            match (p == pid, what.as_str()) {
                (true, "open") => since = Some(t),
                (true, "close") => spans.extend(since.take().map(|s| (s, t))),
                _ => {}
            }
        }
        spans
    }

    /// Starts the fake video call: streams for `seconds`, `delay_ms` after opening.
    fn call(&self, seconds: f64, delay_ms: u32) -> Call {
        let mut child = Command::new(videocall_program())
            .args([seconds.to_string(), delay_ms.to_string()])
            .env("HUNCH_FAKE_V4L2", &self.dev)
            .env("LD_PRELOAD", common::fake_v4l2_library())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let out = BufReader::new(child.stdout.take().unwrap());
        Call { child, out }
    }
}

struct Run {
    pid: u32,
    journal: Journal,
    stderr: String,
}

struct Call {
    child: Child,
    out: BufReader<ChildStdout>,
}

impl Call {
    /// The next line the call prints ("open", "streaming", "busy: …", "frames N").
    fn line(&mut self) -> String {
        let mut l = String::new();
        self.out.read_line(&mut l).unwrap();
        l.trim().to_string()
    }

    /// Waits for the end; returns its exit code and last line.
    fn finish(mut self) -> (i32, String) {
        let mut last = String::new();
        loop {
            let l = self.line();
            if l.is_empty() {
                break;
            }
            last = l;
        }
        (self.child.wait().unwrap().code().unwrap_or(-1), last)
    }
}

fn measured(j: &Journal) -> Vec<MonitorState> {
    j.samples(i64::MIN, i64::MAX)
        .unwrap()
        .into_iter()
        .map(|s| s.state)
        .collect()
}

#[test]
fn cameras_lists_the_formats_negotiated_over_v4l2() {
    let env = Env::new("list", "");
    let o = env.cmd(&["cameras"]).output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.contains("0: /dev/video0"), "{out}");
    assert!(
        out.contains("640×480 MJPEG 15 fps  ← hunch's choice"),
        "{out}"
    );
    assert!(out.contains("320×240 YUYV 30 fps"), "{out}");
    // Opened to ask for formats, and closed again.
    assert_eq!(env.count("open"), env.count("close"));
}

#[test]
fn mjpeg_capture_releases_the_device_between_samples() {
    let env = Env::new(
        "mjpeg",
        "interval_seconds = 1.0\nsteady_interval_seconds = 1.0\nrelease_after_seconds = 0.5",
    );
    let j = env.run_for(4.5, |_| {});
    let states = measured(&j);
    assert!(states.len() >= 3, "{states:?}");
    // The photo's person is found in every decoded frame and reads upright against a
    // calibration made from the same photo.
    assert!(
        states.iter().all(|s| *s == MonitorState::Upright),
        "{states:?}"
    );
    let log = env.log();
    assert!(log.iter().any(|l| l == "streamon 640x480 MJPG"), "{log:?}");
    // Opened and closed once per sample: the light is off in between.
    assert_eq!(env.count("open"), env.count("close"), "{log:?}");
    assert!(env.count("open") >= states.len(), "{log:?}");
}

#[test]
fn yuyv_capture_decodes_and_a_short_interval_keeps_the_device_open() {
    let env = Env::new(
        "yuyv",
        "interval_seconds = 0.5\nsteady_interval_seconds = 0.5\nrelease_after_seconds = 3.0\npixel_format = \"yuyv\"",
    );
    let j = env.run_for(3.5, |_| {});
    let states = measured(&j);
    assert!(states.len() >= 4, "{states:?}");
    assert!(
        states.iter().all(|s| *s == MonitorState::Upright),
        "{states:?}"
    );
    assert!(
        env.log().iter().any(|l| l == "streamon 640x480 YUYV"),
        "{:?}",
        env.log()
    );
    // One open for the whole run; closed when the monitor stopped.
    assert_eq!(env.count("open"), 1, "{:?}", env.log());
    assert_eq!(env.count("close"), 1);
}

#[test]
fn the_monitor_survives_the_camera_vanishing_and_recovers() {
    let env = Env::new(
        "vanish",
        "interval_seconds = 0.5\nsteady_interval_seconds = 0.5\nrelease_after_seconds = 3.0",
    );
    let status = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let seen = std::sync::Arc::clone(&status);
    let j = env.run_for(9.0, move |env| {
        std::thread::sleep(Duration::from_secs(2));
        std::fs::remove_file(env.dev.join("present")).unwrap(); // unplugged
        std::thread::sleep(Duration::from_secs(2));
        // `hunch status` says so, rather than repeating the last posture it saw.
        let o = env.cmd(&["status"]).output().unwrap();
        *seen.lock().unwrap() = String::from_utf8_lossy(&o.stdout).into_owned();
        std::fs::write(env.dev.join("present"), b"").unwrap(); // back
    });
    let status = status.lock().unwrap().clone();
    assert!(status.contains("source trouble"), "{status}");
    assert!(status.contains("state          unmeasured"), "{status}");
    let events = event_kinds(&j);
    let err = events
        .iter()
        .position(|e| *e == EventKind::CameraError)
        .expect("camera_error journaled");
    let ok = events
        .iter()
        .position(|e| *e == EventKind::CameraOk)
        .expect("camera_ok journaled");
    assert!(err < ok, "{events:?}");
    // Samples before the unplug and after the return.
    let samples = j.samples(i64::MIN, i64::MAX).unwrap();
    let all: Vec<_> = j.events(i64::MIN, i64::MAX).unwrap();
    let back_at = all
        .iter()
        .find(|e| e.kind == EventKind::CameraOk)
        .unwrap()
        .t_ms;
    assert!(samples.iter().any(|s| s.t_ms < back_at));
    assert!(
        samples.iter().filter(|s| s.t_ms >= back_at).count() >= 2,
        "{samples:?}"
    );
}

#[test]
fn calibrate_and_record_straight_from_the_camera() {
    let env = Env::new("calrec", "");
    let o = env
        .cmd(&["calibrate", "--countdown", "0", "--seconds", "2"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let shown = env.cmd(&["calibrate", "--show"]).output().unwrap();
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(
        text.contains("source = \"camera:0\"") && text.contains("width = 640"),
        "{text}"
    );

    let out = env.home.join("set");
    let o = env
        .cmd(&[
            "record",
            "--label",
            "hunched",
            "--seconds",
            "2",
            "--fps",
            "2",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let frames = hunch::recording::manifest::Manifest::load(&out)
        .unwrap()
        .frames()
        .unwrap();
    assert!((4..=6).contains(&frames.len()), "{} frames", frames.len());
    let img = image::open(&frames[0].path).unwrap();
    assert_eq!((img.width(), img.height()), (640, 480));
}

fn events_of(j: &Journal, kind: EventKind) -> Vec<hunch::vocab::Event> {
    j.events(i64::MIN, i64::MAX)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == kind)
        .collect()
}

#[test]
fn at_the_defaults_the_camera_is_closed_between_samples_most_of_the_time() {
    let env = Env::new("share-defaults", "");
    // A camera that takes 200 ms to give its first frame, and 3 dark ones after that.
    env.warmup(200, 3);
    let run = env.run_monitor(20.0, |_, _| {});
    let spans = env.open_spans(run.pid);
    let samples = run.journal.samples(i64::MIN, i64::MAX).unwrap();
    let measured = samples
        .iter()
        .filter(|s| s.state == MonitorState::Upright)
        .count();
    // Upright and steady: one sample every 6 s, each from its own open and close.
    assert!((3..=5).contains(&measured), "{samples:?}");
    assert_eq!(spans.len(), measured, "{spans:?}");
    assert_eq!(env.count("open"), env.count("close"));
    for w in spans.windows(2) {
        assert!(
            w[1].0 - w[0].1 >= 4_000,
            "closed between samples: {spans:?}"
        );
    }
    let open_ms: i64 = spans.iter().map(|(a, b)| b - a).sum();
    let span_ms = samples.last().unwrap().t_ms - spans[0].0;
    let share = open_ms as f64 / span_ms as f64;
    eprintln!(
        "open {open_ms} ms of {span_ms} ms ({:.1} %) in {} opens",
        100.0 * share,
        spans.len()
    );
    // Each burst waits out the warm-up (200 ms + 4 frames at 15 fps), then closes.
    assert!(
        spans.iter().all(|(a, b)| b - a >= 400 && b - a < 1500),
        "{spans:?}"
    );
    assert!(share < 0.15, "{share}");
    // The journal's light-on time is the time the device was really open.
    let journaled: i64 = samples.iter().map(|s| s.camera_open_ms).sum();
    assert!(
        (journaled - open_ms).abs() <= 30 * spans.len() as i64,
        "journal {journaled} ms, device {open_ms} ms"
    );
}

#[test]
fn another_app_opening_the_camera_makes_hunch_let_go_hold_and_resume() {
    // One rate, always open: the case where letting go matters most.
    let env = Env::new("share-call", "steady_interval_seconds = 1.0");
    let mut call_pid = 0;
    let mut lines = Vec::new();
    let mut status = String::new();
    let mut ended = (0, String::new());
    let run = env.run_monitor(17.0, |env, _| {
        std::thread::sleep(Duration::from_secs(5));
        // The call opens the camera, looks at it for a second, then streams for 5 s.
        let mut call = env.call(5.0, 1000);
        call_pid = call.child.id();
        lines.push(call.line());
        lines.push(call.line());
        std::thread::sleep(Duration::from_secs(2));
        let o = env.cmd(&["status"]).output().unwrap();
        status = String::from_utf8_lossy(&o.stdout).into_owned();
        ended = call.finish();
    });
    // The call got the camera and streamed to the end.
    assert_eq!(lines, ["open", "streaming"], "{}", run.stderr);
    assert_eq!(ended.0, 0, "{ended:?}");
    assert!(ended.1.starts_with("frames "), "{ended:?}");

    // hunch had the device open when the call opened it, and closed it within a second.
    let call_span = env.open_spans(call_pid)[0];
    let ours = env.open_spans(run.pid);
    let held = ours
        .iter()
        .find(|(a, b)| *a <= call_span.0 && *b >= call_span.0)
        .unwrap_or_else(|| panic!("hunch's device open at {}: {ours:?}", call_span.0));
    let let_go_ms = held.1 - call_span.0;
    eprintln!("let go {let_go_ms} ms after the other app opened the camera");
    assert!(let_go_ms <= 1000, "{let_go_ms} ms");
    // ... and did not open it again until the call had closed it.
    assert!(
        ours.iter()
            .all(|(a, _)| *a <= call_span.0 || *a >= call_span.1),
        "{ours:?} vs {call_span:?}"
    );

    let in_use = events_of(&run.journal, EventKind::CameraInUse);
    let free = events_of(&run.journal, EventKind::CameraFree);
    assert_eq!(in_use.len(), 1, "{in_use:?}");
    assert_eq!(in_use[0].detail, format!("videocall (pid {call_pid})"));
    assert_eq!(free.len(), 1, "{free:?}");
    assert!(events_of(&run.journal, EventKind::CameraError).is_empty());
    assert!((in_use[0].t_ms - call_span.0).abs() <= 1000);
    assert!(free[0].t_ms >= call_span.1 && free[0].t_ms - call_span.1 <= 1000);

    // Samples: measured before, held as camera-in-use during, measured again after.
    let samples = run.journal.samples(i64::MIN, i64::MAX).unwrap();
    let during: Vec<_> = samples
        .iter()
        .filter(|s| s.t_ms > in_use[0].t_ms && s.t_ms <= free[0].t_ms)
        .collect();
    // A hold is one row that grows while it lasts: count the time, not the rows.
    let held_ms: i64 = during.iter().map(|s| s.dt_ms).sum();
    assert!(held_ms >= 4000, "{during:?}");
    assert!(
        during.iter().all(|s| s.state == MonitorState::CameraInUse),
        "{during:?}"
    );
    for side in [
        samples
            .iter()
            .filter(|s| s.t_ms < in_use[0].t_ms)
            .collect::<Vec<_>>(),
        samples.iter().filter(|s| s.t_ms > free[0].t_ms).collect(),
    ] {
        assert!(
            side.iter()
                .filter(|s| s.state == MonitorState::Upright)
                .count()
                >= 2,
            "{samples:?}"
        );
    }

    // `hunch status` during the call, and the report after.
    assert!(status.contains("state          camera_in_use"), "{status}");
    assert!(status.contains("used by another app"), "{status}");
    let o = env.cmd(&["report"]).output().unwrap();
    let report = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        report.contains("camera in use") && report.contains("by another app"),
        "{report}"
    );
    assert!(report.contains("camera light   on for"), "{report}");
}

#[test]
fn a_camera_busy_at_start_is_waited_for_quietly() {
    let env = Env::new("share-busy", "");
    // The call is streaming before hunch starts, and ends while it runs.
    let mut call = env.call(7.0, 0);
    assert_eq!(call.line(), "open");
    assert_eq!(call.line(), "streaming");
    let call_pid = call.child.id();
    let run = env.run_monitor(16.0, |_, _| {});
    assert_eq!(call.finish().0, 0);

    let kinds = event_kinds(&run.journal);
    assert!(!kinds.contains(&EventKind::CameraError), "{kinds:?}");
    let in_use = events_of(&run.journal, EventKind::CameraInUse);
    let free = events_of(&run.journal, EventKind::CameraFree);
    assert_eq!(in_use.len(), 1, "{kinds:?}");
    assert_eq!(in_use[0].detail, format!("videocall (pid {call_pid})"));
    assert_eq!(free.len(), 1, "{kinds:?}");
    // Nothing measured while it was busy; measured once it was free.
    let samples = run.journal.samples(i64::MIN, i64::MAX).unwrap();
    assert!(samples
        .iter()
        .filter(|s| s.t_ms <= free[0].t_ms)
        .all(|s| s.state == MonitorState::CameraInUse));
    assert!(samples
        .iter()
        .any(|s| s.t_ms > free[0].t_ms && s.state == MonitorState::Upright));
    // It tried the camera once, not over and over, and said nothing alarming.
    let busy = env
        .timeline()
        .iter()
        .filter(|(_, p, w)| *p == run.pid && w == "busy")
        .count();
    assert_eq!(busy, 1, "{:?}", env.timeline());
    assert!(
        !run.stderr.contains("cannot use the camera"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("keeps trying"), "{}", run.stderr);
}

/// Recalibrating while the monitor runs (the tray's "Recalibrate…" opens a terminal with
/// `hunch calibrate`): calibrate pauses the monitor, which lets go of the camera, calibrates
/// from the camera, has the monitor reload the new profile, and resumes it.
#[test]
fn recalibrating_while_the_monitor_runs_pauses_reloads_and_resumes_it() {
    let env = Env::new("recal", "steady_interval_seconds = 1.0");
    let mut cal = None;
    let run = env.run_monitor(16.0, |env, _| {
        std::thread::sleep(Duration::from_secs(4));
        let o = env
            .cmd(&["calibrate", "--countdown", "0", "--seconds", "2"])
            .output()
            .unwrap();
        cal = Some(o);
    });
    let cal = cal.unwrap();
    let said = String::from_utf8_lossy(&cal.stderr);
    assert!(cal.status.success(), "{said}");
    assert!(said.contains("paused while you calibrate"), "{said}");
    assert!(
        said.contains("now measures against the new calibration"),
        "{said}"
    );
    assert!(
        run.stderr.contains("measuring against the new calibration"),
        "{}",
        run.stderr
    );
    let shown = env.cmd(&["calibrate", "--show"]).output().unwrap();
    assert!(String::from_utf8_lossy(&shown.stdout).contains("source = \"camera:0\""));

    // The monitor had let go of the camera before calibrate opened it, and opened it again
    // only after calibrate had closed it.
    let cal_opens: Vec<_> = env
        .timeline()
        .into_iter()
        .filter(|(_, p, w)| *p != run.pid && w == "open")
        .map(|(t, ..)| t)
        .collect();
    let cal_closes: Vec<_> = env
        .timeline()
        .into_iter()
        .filter(|(_, p, w)| *p != run.pid && w == "close")
        .map(|(t, ..)| t)
        .collect();
    let (first, last) = (cal_opens[0], *cal_closes.last().unwrap());
    let ours = env.open_spans(run.pid);
    assert!(
        ours.iter().all(|(a, b)| *b <= first || *a >= last),
        "{ours:?} vs calibrate {first}..{last}"
    );

    // Paused before, resumed after, and measuring again.
    let pause = events_of(&run.journal, EventKind::Pause);
    let resume = events_of(&run.journal, EventKind::Resume);
    assert_eq!((pause.len(), resume.len()), (1, 1), "{pause:?} {resume:?}");
    assert!(pause[0].t_ms <= first && resume[0].t_ms >= last);
    let after = run
        .journal
        .samples(resume[0].t_ms + 1, i64::MAX)
        .unwrap()
        .into_iter()
        .filter(|s| s.state == MonitorState::Upright)
        .count();
    assert!(after >= 2, "{after} upright samples after resuming");
}
