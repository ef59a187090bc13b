//! Calibration on real images refuses each kind of bad input with a message that says
//! what to do, and accepts a still, upright sitting.

mod common;

use common::*;
use hunch::camera::Exposure;
use hunch::pose::models::ModelVariant;
use hunch::posture::{CalibrationError, Calibrator, Rejection};
use image::RgbImage;

fn calibrate(frames: &[RgbImage]) -> Result<usize, CalibrationError> {
    let mut engine = engine(ModelVariant::Full);
    let mut c = Calibrator::new();
    for f in frames {
        let est = engine.track(f).unwrap();
        c.push(Exposure::of(f), &est);
    }
    c.finish().map(|(_, n)| n)
}

fn rejected_for(err: Result<usize, CalibrationError>) -> Rejection {
    match err {
        Err(CalibrationError::Rejected { reason, .. }) => reason,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

const STILL: [(i32, i32); 8] = [
    (0, 0),
    (1, 0),
    (1, 1),
    (0, 1),
    (2, 1),
    (1, 2),
    (0, 0),
    (1, 1),
];

#[test]
fn a_still_upright_sitting_calibrates() {
    let base = image("webcam_like.png");
    let frames: Vec<_> = STILL.iter().map(|&(x, y)| shifted(&base, x, y)).collect();
    assert_eq!(calibrate(&frames), Ok(8));
}

#[test]
fn no_frames_and_blank_frames_are_refused() {
    assert_eq!(calibrate(&[]), Err(CalibrationError::NoFrames));
    let black = vec![RgbImage::new(640, 480); 6];
    let err = calibrate(&black).unwrap_err();
    assert_eq!(err, CalibrationError::Blank { blank: 6, total: 6 });
    assert!(err.to_string().contains("uncover the lens"));
}

#[test]
fn a_person_free_scene_is_refused() {
    let sky = image("no_person_sky.png");
    let err = calibrate(&vec![sky; 6]);
    assert_eq!(rejected_for(err), Rejection::NoPerson);
}

#[test]
fn a_turned_head_is_refused() {
    // pose.jpg: a man in a yoga pose looking along his arm, head turned.
    let err = calibrate(&vec![image("pose.jpg"); 6]);
    let reason = rejected_for(err.clone());
    assert_eq!(reason, Rejection::HeadTurned);
    assert!(err.unwrap_err().to_string().contains("your head is turned"));
}

#[test]
fn one_shoulder_out_of_view_is_refused() {
    // The right half of the webcam frame: the person's right shoulder is cut off.
    let base = image("webcam_like.png");
    let crop = image::imageops::crop_imm(&base, 330, 0, 310, 480).to_image();
    let err = calibrate(&vec![crop; 6]);
    assert_eq!(rejected_for(err), Rejection::ShouldersNotVisible);
}

#[test]
fn a_moving_person_is_refused() {
    let base = image("webcam_like.png");
    let moving: Vec<_> = [
        (0, 0),
        (30, 10),
        (-25, 5),
        (40, -10),
        (-30, 15),
        (10, 20),
        (35, 0),
        (-20, -10),
    ]
    .iter()
    .map(|&(x, y)| shifted(&base, x, y))
    .collect();
    let err = calibrate(&moving).unwrap_err();
    assert!(matches!(err, CalibrationError::Unstable { .. }), "{err:?}");
    assert!(err.to_string().contains("sit still"));
}
