//! `hunch analyze` as a new user meets it: wrong inputs give one clear message, the
//! other files are still processed, and nothing panics.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{fixture, tempdir};

fn hunch(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hunch"));
    cmd.args(args)
        .env_remove("ORT_DYLIB_PATH")
        .env("RUST_BACKTRACE", "1");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().expect("run hunch")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn assert_clean_failure(o: &Output, code: i32, needle: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(code), "stderr: {err}");
    assert!(err.contains(needle), "expected {needle:?} in: {err}");
    assert!(
        !err.contains("panicked") && !err.contains("stack backtrace"),
        "{err}"
    );
}

fn img() -> String {
    fixture("webcam_like.png").display().to_string()
}

#[test]
fn json_output_has_the_documented_fields() {
    let o = hunch(&["analyze", "--jsonl", &img()], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["width"], 640);
    assert_eq!(v["height"], 480);
    assert_eq!(v["person"], true);
    assert_eq!(v["landmarks"].as_array().unwrap().len(), 33);
    assert_eq!(v["landmarks"][0].as_array().unwrap().len(), 5);
    assert_eq!(v["world_landmarks"].as_array().unwrap().len(), 33);
    assert_eq!(v["world_landmarks"][0].as_array().unwrap().len(), 3);
    for k in ["x_center", "y_center", "width", "height", "rotation"] {
        assert!(v["roi"][k].is_number(), "roi.{k}");
    }
    assert!(v["presence"].as_f64().unwrap() > 0.5);
}

#[test]
fn bad_files_are_reported_and_the_rest_still_processed() {
    let dir = tempdir("badfiles");
    let text = dir.join("notes.txt");
    std::fs::write(&text, "not an image\n").unwrap();
    let fake_png = dir.join("fake.png");
    std::fs::write(&fake_png, b"\x89PNG\r\n\x1a\ntruncated").unwrap();
    let o = hunch(
        &[
            "analyze",
            "--jsonl",
            dir.to_str().unwrap(),
            text.to_str().unwrap(),
            &img(),
            fake_png.to_str().unwrap(),
            "/no/such/image.png",
        ],
        &[],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("is a directory"), "{err}");
    assert!(
        err.contains("notes.txt: not a readable PNG or JPEG"),
        "{err}"
    );
    assert!(
        err.contains("fake.png: not a readable PNG or JPEG"),
        "{err}"
    );
    assert!(err.contains("/no/such/image.png: no such file"), "{err}");
    assert!(!err.contains("panicked"));
    // The one good image still produced its line.
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(out.lines().count(), 1);
    assert!(out.contains("webcam_like.png"));
}

#[test]
fn missing_onnx_runtime_file_is_one_clear_sentence() {
    let o = hunch(
        &[
            "analyze",
            "--ort-lib",
            "/nonexistent/libonnxruntime.so",
            &img(),
        ],
        &[],
    );
    assert_clean_failure(
        &o,
        2,
        "/nonexistent/libonnxruntime.so (--ort-lib) could not be loaded",
    );
    assert!(stderr(&o).contains("scripts/setup"));
    let o = hunch(
        &["analyze", &img()],
        &[("ORT_DYLIB_PATH", "/nowhere/libonnxruntime.so.1.31.1")],
    );
    assert_clean_failure(&o, 2, "(ORT_DYLIB_PATH) could not be loaded");
}

#[test]
fn a_file_that_is_not_a_library_is_refused() {
    let dir = tempdir("notalib");
    let lib = dir.join("libonnxruntime.so");
    std::fs::write(&lib, "hello").unwrap();
    let o = hunch(
        &["analyze", "--ort-lib", lib.to_str().unwrap(), &img()],
        &[],
    );
    assert_clean_failure(&o, 2, "could not be loaded as ONNX Runtime");
}

/// A stand-in shared library that answers the version query as ONNX Runtime 1.30 would:
/// the real loader (dlopen, OrtGetApiBase, version string) runs against it.
const FAKE_ORT_1_30: &str = r#"
#include <stddef.h>
#include <stdint.h>
typedef struct { const void* (*GetApi)(uint32_t); const char* (*GetVersionString)(void); } OrtApiBase;
static const void* get_api(uint32_t v) { (void)v; return NULL; }
static const char* version(void) { return "1.30.0"; }
static const OrtApiBase base = { get_api, version };
const OrtApiBase* OrtGetApiBase(void) { return &base; }
"#;

#[test]
fn an_older_onnx_runtime_is_refused_with_its_version() {
    let dir = tempdir("oldort");
    let src = dir.join("fake.c");
    std::fs::write(&src, FAKE_ORT_1_30).unwrap();
    let lib = dir.join("libonnxruntime.so.1.30.0");
    let status = Command::new("cc")
        .args(["-shared", "-fPIC", "-o"])
        .arg(&lib)
        .arg(&src)
        .status()
        .expect("a C compiler (cc) is needed to build the fake library; scripts/setup installs it");
    assert!(status.success());
    let o = hunch(
        &["analyze", &img()],
        &[("ORT_DYLIB_PATH", lib.to_str().unwrap())],
    );
    assert_clean_failure(&o, 2, "is ONNX Runtime 1.30.0, but hunch needs 1.31");
}

#[test]
fn missing_and_corrupt_models_name_the_file() {
    let empty = tempdir("nomodels");
    let o = hunch(
        &["analyze", "--models", empty.to_str().unwrap(), &img()],
        &[],
    );
    assert_clean_failure(&o, 2, "pose_detection.onnx is missing");

    let o = hunch(&["analyze", "--models", "/no/such/dir", &img()], &[]);
    assert_clean_failure(&o, 2, "/no/such/dir given with --models does not exist");

    // A complete set where the landmark model is truncated, as after a failed copy.
    let corrupt = tempdir("corrupt");
    let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    std::fs::copy(
        models.join("pose_detection.onnx"),
        corrupt.join("pose_detection.onnx"),
    )
    .unwrap();
    let full = std::fs::read(models.join("pose_landmark_full.onnx")).unwrap();
    std::fs::write(
        corrupt.join("pose_landmark_full.onnx"),
        &full[..full.len() / 3],
    )
    .unwrap();
    let o = hunch(
        &["analyze", "--models", corrupt.to_str().unwrap(), &img()],
        &[],
    );
    assert_clean_failure(&o, 2, "could not load model");
    assert!(stderr(&o).contains("pose_landmark_full.onnx"));

    // The right file name holding the wrong network.
    let swapped = tempdir("swapped");
    std::fs::copy(
        models.join("pose_landmark_full.onnx"),
        swapped.join("pose_detection.onnx"),
    )
    .unwrap();
    std::fs::copy(
        models.join("pose_landmark_full.onnx"),
        swapped.join("pose_landmark_full.onnx"),
    )
    .unwrap();
    let o = hunch(
        &["analyze", "--models", swapped.to_str().unwrap(), &img()],
        &[],
    );
    assert_clean_failure(&o, 2, "is this the right model?");
}

#[test]
fn overlay_is_written_and_differs_from_the_input() {
    let dir = tempdir("overlay");
    let out = dir.join("out.png");
    let o = hunch(
        &["analyze", "--overlay", out.to_str().unwrap(), &img()],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let drawn = image::open(&out).unwrap().to_rgb8();
    let orig = image::open(fixture("webcam_like.png")).unwrap().to_rgb8();
    assert_eq!(drawn.dimensions(), orig.dimensions());
    let changed = drawn
        .pixels()
        .zip(orig.pixels())
        .filter(|(a, b)| a != b)
        .count();
    // The skeleton covers some pixels, not the whole frame.
    assert!(
        changed > 200 && changed < 640 * 480 / 10,
        "{changed} pixels changed"
    );

    // Several images need a directory.
    let o = hunch(
        &[
            "analyze",
            "--overlay",
            out.to_str().unwrap(),
            &img(),
            &img(),
        ],
        &[],
    );
    assert_clean_failure(&o, 2, "must be an existing directory");
}

#[test]
fn no_person_summary_says_so() {
    let o = hunch(
        &["analyze", fixture("no_person_sky.png").to_str().unwrap()],
        &[],
    );
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("no person"));
}
