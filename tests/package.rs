//! What the packages are made of and what a person meets first: `hunch generate` (man
//! pages and completions from the real definitions), `hunch service` from a build tree
//! and at login, and the first-run messages of `hunch calibrate` and `hunch analyze`.
//! The packages themselves are built, installed and removed by scripts/test-packages.

mod common;

use common::{fake_camera, fixture, hunch_in, hunch_with_camera, tempdir};

fn hunch(home: &std::path::Path, args: &[&str]) -> std::process::Output {
    hunch_in(home).args(args).output().unwrap()
}

#[test]
fn man_pages_cover_every_command() {
    let home = tempdir("man");
    let dir = home.join("man");
    let o = hunch(&home, &["generate", "man", dir.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut pages: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    for page in [
        "hunch.1",
        "hunch-run.1",
        "hunch-doctor.1",
        "hunch-calibrate.1",
        "hunch-service-install.1",
        "hunch-headache.1",
        "hunch-headache-edit.1",
        "hunch-generate-completions.1",
    ] {
        assert!(pages.iter().any(|p| p == page), "{page} in {pages:?}");
    }
    // What only the desktop runs (the autostart entry's command) is hidden: no page.
    assert!(
        !pages.iter().any(|p| p == "hunch-service-autostart.1"),
        "{pages:?}"
    );
    assert!(!pages.iter().any(|p| p.contains("help")), "{pages:?}");
    let top = std::fs::read_to_string(dir.join("hunch.1")).unwrap();
    assert!(
        top.starts_with(".ie \\n(.g .ds Aq") || top.contains(".TH hunch 1"),
        "{top}"
    );
    for section in [
        ".SH FILES",
        ".SH ENVIRONMENT",
        ".SH SEE ALSO",
        "hunch\\-doctor(1)",
    ] {
        assert!(top.contains(section), "{section} in {top}");
    }
    // The options of a page are the command's real ones.
    let run = std::fs::read_to_string(dir.join("hunch-run.1")).unwrap();
    assert!(
        run.contains("\\-\\-source") && run.contains("\\-\\-journal"),
        "{run}"
    );
}

#[test]
fn completions_know_the_subcommands_in_each_shell() {
    let home = tempdir("completions");
    for (shell, marker) in [
        ("bash", "complete -F _hunch"),
        ("zsh", "#compdef hunch"),
        ("fish", "complete -c hunch"),
    ] {
        let o = hunch(&home, &["generate", "completions", shell]);
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(
            o.status.success() && text.contains(marker),
            "{shell}: {text}"
        );
        assert!(
            text.contains("doctor") && text.contains("calibrate"),
            "{shell}"
        );
        assert!(
            text.contains("ort-lib") && text.contains("countdown"),
            "{shell}"
        );
    }
    let dir = home.join("c");
    let o = hunch(
        &home,
        &[
            "generate",
            "completions",
            "fish",
            "--dir",
            dir.to_str().unwrap(),
        ],
    );
    assert!(o.status.success());
    assert!(dir.join("hunch.fish").is_file());
}

#[test]
fn service_install_from_a_build_tree_warns_that_the_unit_will_break() {
    let home = tempdir("svc-build-tree");
    let o = hunch(&home, &["service", "install"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("is a build in a source tree"), "{err}");
    assert!(err.contains("after `cargo clean`"), "{err}");
}

#[test]
fn autostart_does_not_start_hunch_for_someone_who_never_calibrated() {
    let home = tempdir("autostart");
    let o = hunch(&home, &["service", "autostart"]);
    assert_eq!(o.status.code(), Some(0));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("not calibrated yet, so not started"), "{err}");
    assert!(
        !home.join("data/hunch/journal.sqlite").exists(),
        "hunch did not run"
    );
}

#[test]
fn run_without_a_calibration_says_to_calibrate_from_the_camera() {
    let home = tempdir("run-nocal");
    let o = hunch(&home, &["run"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(
            "no calibration yet: sit upright in front of the camera and run `hunch calibrate`"
        ),
        "{err}"
    );
}

#[test]
fn calibrating_from_one_image_says_it_needs_five_frames() {
    let home = tempdir("cal-one");
    let image = fixture("demo/upright-0.jpg");
    let o = hunch(&home, &["calibrate", "--source", image.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("needs at least 5 frames"), "{err}");
    assert!(err.contains("gave 1"), "{err}");
    assert!(!err.contains("no person"), "{err}");
    assert!(!home.join("config/hunch/calibration.toml").exists());
}

#[test]
fn analyze_posture_warns_in_text_when_the_calibration_was_made_at_another_size() {
    let home = tempdir("analyze-mismatch");
    let camera = fake_camera(&home.join("camera"), true);
    let o = hunch_with_camera(&home, &camera)
        .args(["calibrate", "--countdown", "0", "--seconds", "2"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // The demo's frames are 224×224, the calibration 640×480.
    let image = fixture("demo/upright-0.jpg");
    let o = hunch(&home, &["analyze", "--posture", image.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{out}");
    assert!(
        out.contains("  warning: the calibration was made at 640×480, frames are now 224×224"),
        "{out}"
    );
    // The same image at the calibrated size: no warning.
    let o = hunch(
        &home,
        &[
            "analyze",
            "--posture",
            fixture("webcam_like.png").to_str().unwrap(),
        ],
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success() && out.contains("posture: "), "{out}");
    assert!(!out.contains("warning:"), "{out}");
}
