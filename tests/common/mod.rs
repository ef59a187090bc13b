//! Shared helpers for the integration tests: the real engine on the repo's models and
//! ONNX Runtime as `scripts/setup` installs it, and MediaPipe's reference output.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use hunch::pose::models::{ModelPaths, ModelVariant};
use hunch::pose::{PoseEngine, SessionOptions};
use image::RgbImage;
use serde_json::Value;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn engine(variant: ModelVariant) -> PoseEngine {
    let env = hunch::pose::runtime::init(None).expect("ONNX Runtime (run scripts/setup)");
    let models = ModelPaths::in_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("models"),
        variant,
    )
    .expect("models/ in the repo");
    PoseEngine::new(env, &models, SessionOptions::default()).expect("engine")
}

pub fn image(name: &str) -> RgbImage {
    hunch::support::image_io::load_rgb(&fixture(name)).expect("fixture image")
}

pub fn reference(kind: &str, variant: &str, image: &str) -> Value {
    let p = fixture(&format!(
        "mediapipe/mediapipe_{kind}_{variant}_{image}.json"
    ));
    serde_json::from_str(&std::fs::read_to_string(&p).expect("reference json")).expect("json")
}

/// Reference landmark `i` as (x, y) normalised.
pub fn ref_xy(v: &Value, key: &str, i: usize) -> (f32, f32) {
    let l = &v[key][i];
    (l[0].as_f64().unwrap() as f32, l[1].as_f64().unwrap() as f32)
}

/// Pixel distances between our landmarks 0..n and a list of normalised reference points.
pub fn pixel_errors(
    ours: &[hunch::pose::Landmark],
    theirs: &[(f32, f32)],
    w: u32,
    h: u32,
) -> Vec<f32> {
    ours.iter()
        .zip(theirs)
        .map(|(a, b)| ((a.x - b.0) * w as f32).hypot((a.y - b.1) * h as f32))
        .collect()
}

pub fn mean(v: &[f32]) -> f32 {
    v.iter().sum::<f32>() / v.len() as f32
}

pub fn max(v: &[f32]) -> f32 {
    v.iter().cloned().fold(0.0, f32::max)
}

/// `base` moved by (dx, dy) on the grey (90, 90, 90) background of `webcam_like.png`, like
/// a person shifting slightly in front of a webcam.
pub fn shifted(base: &RgbImage, dx: i32, dy: i32) -> RgbImage {
    RgbImage::from_fn(base.width(), base.height(), |x, y| {
        let (sx, sy) = (x as i32 - dx, y as i32 - dy);
        if sx >= 0 && sy >= 0 && (sx as u32) < base.width() && (sy as u32) < base.height() {
            *base.get_pixel(sx as u32, sy as u32)
        } else {
            image::Rgb([90, 90, 90])
        }
    })
}

/// A fresh, empty directory for one test (unique per test process and name).
pub fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("hunch-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The `hunch` binary with every per-user location (config, data, runtime) inside `home`,
/// and no desktop bus or ONNX Runtime override inherited from the caller.
pub fn hunch_in(home: &Path) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_hunch"));
    c.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_RUNTIME_DIR", home.join("run"))
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        // No system bus either: the tests do not follow the developer's own logind session.
        .env(
            "DBUS_SYSTEM_BUS_ADDRESS",
            "unix:path=/nonexistent/hunch-test-bus",
        )
        .env_remove("ORT_DYLIB_PATH");
    c
}

/// The kinds of the journal's events, in time order.
pub fn event_kinds(j: &hunch::journal::Journal) -> Vec<hunch::vocab::EventKind> {
    j.events(i64::MIN, i64::MAX)
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

/// A home with a calibration (on the demo's upright frame) and a 60-s recording at 4
/// frames a second in `rec/`, for running `hunch run` as a process.
pub struct MonitorEnv {
    pub home: PathBuf,
}

/// `home/still`: six copies of the demo's upright frame, a recording to calibrate from.
pub fn upright_stills(home: &Path) -> PathBuf {
    let still = home.join("still");
    std::fs::create_dir_all(&still).unwrap();
    for i in 0..6 {
        std::fs::copy(
            fixture("demo/upright-0.jpg"),
            still.join(format!("f{i}.jpg")),
        )
        .unwrap();
    }
    still
}

impl MonitorEnv {
    pub fn new(name: &str) -> MonitorEnv {
        let home = std::env::temp_dir().join(format!("hunch-daemon-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&home);
        std::fs::create_dir_all(&home).unwrap();
        let env = MonitorEnv { home };
        // Calibrate on the demo's upright frame, then a 60 s recording at 4 frames/s.
        let still = upright_stills(&env.home);
        let o = env
            .cmd(&["calibrate", "--source", still.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let rec = env.home.join("rec");
        std::fs::create_dir_all(&rec).unwrap();
        let mut m = String::from("path,label,time_ms\n");
        for i in 0..240 {
            m += &format!(
                "{},upright,{}\n",
                fixture(&format!("demo/upright-{}.jpg", i % 4)).display(),
                i * 250
            );
        }
        std::fs::write(rec.join("manifest.csv"), m).unwrap();
        env
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = hunch_in(&self.home);
        c.args(args);
        c
    }

    pub fn journal(&self) -> PathBuf {
        self.home.join("data/hunch/journal.sqlite")
    }

    pub fn start(&self) -> Child {
        let mut child = self
            .cmd(&["run", "--source", self.home.join("rec").to_str().unwrap()])
            .arg("--journal")
            .arg(self.journal())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Ready when it answers `hunch status`.
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(20) {
            if self.cmd(&["status"]).output().unwrap().status.success() {
                return child;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("hunch run did not come up");
    }
}

/// Sends `sig` (a name, e.g. TERM) to `child`.
pub fn signal(child: &Child, sig: &str) {
    assert!(Command::new("kill")
        .args(["-s", sig, &child.id().to_string()])
        .status()
        .unwrap()
        .success());
}

/// The tests' fake V4L2 webcam (`tests/fake_v4l2/fake_v4l2.c`), built once per test
/// process into a temporary file, for `LD_PRELOAD`.
pub fn fake_v4l2_library() -> &'static Path {
    static LIB: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    LIB.get_or_init(|| {
        let out =
            std::env::temp_dir().join(format!("hunch-fake-v4l2-common-{}.so", std::process::id()));
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fake_v4l2/fake_v4l2.c");
        let built = Command::new("cc")
            .args(["-shared", "-fPIC", "-O2", "-Wall", "-o"])
            .arg(&out)
            .arg(&src)
            .arg("-ldl")
            .status()
            .expect("a C compiler (cc), installed by scripts/setup");
        assert!(built.success(), "building the fake V4L2 device failed");
        out
    })
}

/// A control directory for the fake webcam in `dir`: plugged in (or not), serving the
/// 640×480 photo as MJPEG.
pub fn fake_camera(dir: &Path, plugged_in: bool) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fake_v4l2/webcam_like_640x480.jpg"),
        dir.join("mjpg-640x480.jpg"),
    )
    .unwrap();
    if plugged_in {
        std::fs::write(dir.join("present"), b"").unwrap();
    }
    dir.to_path_buf()
}

/// `hunch_in(home)` seeing the fake webcam controlled by `camera`.
pub fn hunch_with_camera(home: &Path, camera: &Path) -> Command {
    let mut c = hunch_in(home);
    c.env("LD_PRELOAD", fake_v4l2_library())
        .env("HUNCH_FAKE_V4L2", camera);
    c
}

/// The bundled demo recording's frames with the given role (calibrate, score).
pub fn demo_frames(role: hunch::recording::Role) -> Vec<hunch::recording::LabelledFrame> {
    hunch::recording::Manifest::load(&fixture("demo"))
        .expect("the demo manifest")
        .frames()
        .expect("the demo frames")
        .into_iter()
        .filter(|f| f.role == role)
        .collect()
}

/// The demo's neutral, calibrated on its upright start as `hunch demo` does, with the
/// given model.
pub fn demo_neutral(variant: ModelVariant) -> hunch::posture::Neutral {
    let mut engine = engine(variant);
    let mut c = hunch::posture::Calibrator::new();
    for f in demo_frames(hunch::recording::Role::Calibrate) {
        let img = hunch::support::image_io::load_rgb(&f.path).expect("a demo frame");
        let est = engine.track(&img).expect("inference");
        c.push(hunch::camera::Exposure::of(&img), &est);
    }
    c.finish().expect("the demo calibrates").0
}

/// Whether this test process runs as root. Tests that need root (device nodes, mounts)
/// skip without it, saying so, except where `HUNCH_TESTS_AS_ROOT=1` (set by `.ci/run`,
/// which runs as root) makes a missing root a failure: CI never skips them.
pub fn as_root(what: &str) -> bool {
    let root = hunch::platform::user::id() == Some(0);
    if !root {
        skip(&format!("{what} needs root"));
    }
    root
}

/// Says a test part is skipped, and why; a failure instead where `HUNCH_TESTS_AS_ROOT=1`
/// (`.ci/run`) promises everything a root test needs.
pub fn skip(why: &str) {
    assert!(
        std::env::var_os("HUNCH_TESTS_AS_ROOT").is_none(),
        "{why}, and HUNCH_TESTS_AS_ROOT says this run can do it"
    );
    eprintln!("SKIPPED: {why}");
}

/// A journal at `path` with an hour of samples ending now (a third of it hunched) and
/// one alert, written through hunch's own writer.
pub fn journal_with_an_hour(path: &Path) {
    let (mut j, _) = hunch::journal::Journal::open(path).unwrap();
    let t0 = jiff::Timestamp::now().as_millisecond() - 3_600_000;
    for k in 0..3600 {
        let state = if k % 600 < 200 {
            hunch::vocab::MonitorState::Hunched
        } else {
            hunch::vocab::MonitorState::Upright
        };
        j.sample(t0 + k * 1000, 1000, state, Some(5.0), 0.9)
            .unwrap();
    }
    j.event(t0 + 100_000, hunch::vocab::EventKind::Alert, "chin_tuck")
        .unwrap();
    j.flush().unwrap();
}

/// The permission bits of `path` (not following a link).
pub fn mode(path: &Path) -> u32 {
    hunch::platform::fs::mode_bits(path).expect("a file with mode bits")
}
