//! nokhwa's real V4L2 path without a camera: a user-space fake `/dev/video0`
//! (tests/fake_v4l2/fake_v4l2.c, built here and loaded with LD_PRELOAD) answers the
//! directory listing, open, ioctl/syscall(SYS_ioctl), mmap and close like a small UVC
//! webcam, serving MJPEG and YUYV frames made from a real photo.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::{event_kinds, fixture, hunch_in};
use hunch::journal::Journal;
use hunch::vocab::{EventKind, MonitorState};

fn fake_library() -> &'static Path {
    static LIB: OnceLock<PathBuf> = OnceLock::new();
    LIB.get_or_init(|| {
        let out = std::env::temp_dir().join(format!("hunch-fake-v4l2-{}.so", std::process::id()));
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fake_v4l2/fake_v4l2.c");
        let status = Command::new("cc")
            .args(["-shared", "-fPIC", "-O2", "-Wall", "-o"])
            .arg(&out)
            .arg(&src)
            .arg("-ldl")
            .status()
            .expect("a C compiler (cc), installed by scripts/setup");
        assert!(status.success(), "building the fake V4L2 device failed");
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
            .env("LD_PRELOAD", fake_library());
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
        let mut child: Child = self
            .cmd(&["run"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let t = Instant::now();
        during(self);
        if let Some(rest) = Duration::from_secs_f64(seconds).checked_sub(t.elapsed()) {
            std::thread::sleep(rest);
        }
        assert!(Command::new("kill")
            .args(["-s", "TERM", &child.id().to_string()])
            .status()
            .unwrap()
            .success());
        assert!(child.wait().unwrap().success());
        Journal::open(&self.home.join("data/hunch/journal.sqlite"))
            .unwrap()
            .0
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
        "interval_seconds = 1.0\nrelease_after_seconds = 0.5",
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
        "interval_seconds = 0.5\nrelease_after_seconds = 3.0\npixel_format = \"yuyv\"",
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
        "interval_seconds = 0.5\nrelease_after_seconds = 3.0",
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
