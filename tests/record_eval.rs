//! `hunch record` → `hunch eval` round trip, and `hunch calibrate` from a recording,
//! through the real binary.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::*;
use image::{Rgb, RgbImage};

fn hunch(args: &[&str], home: &Path) -> Output {
    hunch_in(home).args(args).output().expect("run hunch")
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A "recording": the webcam-like frame with the person shifted slightly, as PNGs.
fn source_dir(name: &str, frames: usize) -> PathBuf {
    let dir = tempdir(name);
    let base = image("webcam_like.png");
    for i in 0..frames {
        let (dx, dy) = ((i % 3) as i32, (i % 2) as i32);
        let img = RgbImage::from_fn(640, 480, |x, y| {
            let (sx, sy) = (x as i32 - dx, y as i32 - dy);
            if sx >= 0 && sy >= 0 && sx < 640 && sy < 480 {
                *base.get_pixel(sx as u32, sy as u32)
            } else {
                Rgb([90, 90, 90])
            }
        });
        img.save(dir.join(format!("frame{i}.png"))).unwrap();
    }
    dir
}

#[test]
fn record_then_eval_reads_back_the_same_labels_and_counts() {
    let home = tempdir("home");
    let src = source_dir("src", 12);
    let out = home.join("set");
    let out_s = out.to_str().unwrap();
    // 12 source frames 1 s apart; keep 2 per second → all 12 within 11.5 s.
    ok(&hunch(
        &[
            "record",
            "--label",
            "upright",
            "--source",
            src.to_str().unwrap(),
            "--fps",
            "1",
            "--seconds",
            "11.5",
            "--subject",
            "tester",
            "--session",
            "s1",
            out_s,
        ],
        &home,
    ));
    ok(&hunch(
        &[
            "record",
            "--label",
            "hunched",
            "--source",
            src.to_str().unwrap(),
            "--fps",
            "1",
            "--seconds",
            "4.5",
            "--subject",
            "tester",
            "--session",
            "s1",
            out_s,
        ],
        &home,
    ));

    // Frames are private files beside a manifest.
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&out.join("frames")), 0o700);
    assert_eq!(mode(&out.join("manifest.csv")), 0o600);
    assert_eq!(mode(&out.join("frames/frame-000001.jpg")), 0o600);

    let manifest = hunch::recording::manifest::Manifest::load(&out).unwrap();
    let frames = manifest.frames().unwrap();
    let count = |l| frames.iter().filter(|f| f.label == l).count();
    assert_eq!(count(hunch::recording::manifest::Label::Upright), 12);
    assert_eq!(count(hunch::recording::manifest::Label::Hunched), 5);
    assert!(frames
        .iter()
        .all(|f| f.subject == "tester" && f.session == "s1"));
    assert_eq!(std::fs::read_dir(out.join("frames")).unwrap().count(), 17);

    let json = ok(&hunch(&["eval", "--json", out_s], &home));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["frames"]["upright"], 12);
    assert_eq!(v["frames"]["hunched"], 5);
    // 30% of 12 upright frames (4, raised to the minimum of 5) calibrate and are not scored.
    assert_eq!(v["groups"][0]["calibration_frames"], 5);
    assert_eq!(v["groups"][0]["scored"], 12);
    // The "hunched" frames show the same upright person: eval must call them upright,
    // which shows up as 5 false negatives and no false positives.
    assert_eq!(v["scores"]["confusion"]["fn"], 5);
    assert_eq!(v["scores"]["confusion"]["fp"], 0);
    assert_eq!(v["scores"]["confusion"]["tn"], 7);
}

#[test]
fn calibrate_from_a_recording_saves_a_private_profile_and_show_prints_it() {
    let home = tempdir("cal");
    let src = source_dir("calsrc", 8);
    let out = ok(&hunch(
        &["calibrate", "--source", src.to_str().unwrap()],
        &home,
    ));
    assert!(out.contains("Calibrated on"), "{out}");
    let profile = home.join("config/hunch/calibration.toml");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&profile).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(
        std::fs::metadata(profile.parent().unwrap())
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o700
    );
    let shown = ok(&hunch(&["calibrate", "--show"], &home));
    assert!(
        shown.contains("[neutral.head_height]") && shown.contains("width = 640"),
        "{shown}"
    );

    // analyze --posture now measures against it: the same frame reads about 0°.
    let json = ok(&hunch(
        &[
            "analyze",
            "--jsonl",
            "--posture",
            fixture("webcam_like.png").to_str().unwrap(),
        ],
        &home,
    ));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["posture"]["calibrated"], true);
    assert_eq!(v["posture"]["class"], "upright");
    assert!(
        v["posture"]["reading"]["forward_deg"]
            .as_f64()
            .unwrap()
            .abs()
            < 3.0
    );

    // A recording of an empty room is refused, and the old profile stays.
    let empty = tempdir("emptyroom");
    for i in 0..6 {
        RgbImage::from_pixel(640, 480, Rgb([120, 110, 100]))
            .save(empty.join(format!("f{i}.png")))
            .unwrap();
    }
    let o = hunch(&["calibrate", "--source", empty.to_str().unwrap()], &home);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("dark or blank"));
    assert!(profile.exists());
}

#[test]
fn calibrate_show_without_a_profile_says_what_to_do() {
    let home = tempdir("nocal");
    let o = hunch(&["calibrate", "--show"], &home);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("run `hunch calibrate` first"));
}
