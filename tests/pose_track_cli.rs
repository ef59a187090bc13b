//! `hunch analyze --track`: the images as consecutive frames of one stream, tracked as the
//! monitor tracks them (the detector only when the track is lost).

mod common;

use common::{fixture, hunch_in, tempdir};

fn lines(stdout: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

#[test]
fn track_runs_the_detector_once_for_a_steady_person() {
    let home = tempdir("track-cli");
    let img = fixture("webcam_like.png");
    let frames: Vec<_> = (0..5).map(|_| img.clone()).collect();

    let o = hunch_in(&home)
        .args(["analyze", "--track", "--jsonl"])
        .args(&frames)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    let v = lines(&o.stdout);
    assert_eq!(v.len(), 5);
    for (i, frame) in v.iter().enumerate() {
        assert_eq!(frame["person"], true, "frame {i}");
        // The detector's output is reported for the frames it ran on: the first only.
        assert_eq!(frame["detection"].is_null(), i > 0, "frame {i}");
    }
    // A still person in a still frame keeps the same crop, so the same landmarks.
    assert_eq!(v[1]["landmarks"], v[4]["landmarks"]);
    assert!(
        err.contains("tracked 5 frames: detector ran on 1,"),
        "stderr: {err}"
    );

    // Without --track every image stands alone and the detector runs on each.
    let o = hunch_in(&home)
        .args(["analyze", "--jsonl"])
        .args(&frames[..3])
        .output()
        .unwrap();
    assert!(o.status.success());
    let v = lines(&o.stdout);
    assert!(v.iter().all(|f| !f["detection"].is_null()));
    assert!(!String::from_utf8_lossy(&o.stderr).contains("tracked"));
}

#[test]
fn track_skips_unreadable_frames_and_keeps_going() {
    let home = tempdir("track-cli-bad");
    let bad = home.join("broken.jpg");
    std::fs::write(&bad, b"not a jpeg").unwrap();
    let img = fixture("webcam_like.png");
    let o = hunch_in(&home)
        .args(["analyze", "--track", "--jsonl"])
        .arg(&img)
        .arg(&bad)
        .arg(&img)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("broken.jpg"), "{err}");
    let v = lines(&o.stdout);
    assert_eq!(v.len(), 2);
    assert!(
        v[1]["detection"].is_null(),
        "the track survives a bad frame"
    );
    assert!(
        err.contains("tracked 2 frames: detector ran on 1,"),
        "{err}"
    );
}

#[test]
fn track_on_a_recording_reports_how_often_the_detector_ran() {
    // The demo recording's frames in their order (one person, 2 postures).
    let home = tempdir("track-cli-demo");
    let dir = fixture("demo");
    let mut frames: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jpg"))
        .collect();
    frames.sort();
    let o = hunch_in(&home)
        .args(["analyze", "--track", "--model", "lite"])
        .args(&frames)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        out.matches(": person, presence").count(),
        frames.len(),
        "{out}"
    );
    let summary = err
        .lines()
        .find(|l| l.contains("tracked"))
        .unwrap_or_else(|| panic!("no summary in {err}"));
    eprintln!("{summary}");
    assert!(summary.contains(&format!("tracked {} frames", frames.len())));
}
