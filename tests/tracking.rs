//! Tracking over a sequence of frames: the detector runs once, the ROI follows the person
//! from the auxiliary landmarks, and the landmarks stay on MediaPipe's.

mod common;

use common::*;
use hunch::pose::models::ModelVariant;
use image::{Rgb, RgbImage};

const SHIFTS: [(i32, i32); 8] = [
    (0, 0),
    (2, 1),
    (4, 1),
    (7, 2),
    (9, 4),
    (12, 5),
    (9, 3),
    (5, 1),
];

#[test]
fn detector_runs_once_and_landmarks_follow_the_person() {
    let base = image("webcam_like.png");
    let (w, h) = (base.width(), base.height());
    let reference = reference("tasks", "full", "webcam_like");
    let mut engine = engine(ModelVariant::Full);

    for (n, &(dx, dy)) in SHIFTS.iter().enumerate() {
        let frame = shifted(&base, dx, dy);
        let est = engine.track(&frame).expect("inference");
        let pose = est.pose.as_ref().expect("person tracked");
        assert_eq!(
            est.detection.is_some(),
            n == 0,
            "detector only on the first frame"
        );
        let expected: Vec<_> = (0..13)
            .map(|i| {
                let (x, y) = ref_xy(&reference, "landmarks", i);
                (x + dx as f32 / w as f32, y + dy as f32 / h as f32)
            })
            .collect();
        let err = pixel_errors(&pose.landmarks[..13], &expected, w, h);
        let (face, shoulders) = err.split_at(11);
        eprintln!(
            "frame {n} shift ({dx},{dy}): face mean {:.2} max {:.2} px, shoulders max {:.2} px",
            mean(face),
            max(face),
            max(shoulders)
        );
        // The face follows the shift within a few pixels. The shoulders of this photo are
        // intrinsically unsteady under BlazePose: shifting it by a few pixels moves the
        // right shoulder by up to 19 px even in single-image mode (detector every frame),
        // so the bound there is looser; posture smooths over time downstream.
        assert!(mean(face) <= 4.0, "frame {n}: face mean {}", mean(face));
        assert!(max(face) <= 10.0, "frame {n}: face max {}", max(face));
        assert!(
            max(shoulders) <= 25.0,
            "frame {n}: shoulders max {}",
            max(shoulders)
        );
    }
    let stats = engine.stats();
    assert_eq!(stats.frames, SHIFTS.len() as u64);
    assert_eq!(stats.detector_runs, 1);
    assert_eq!(stats.landmark_runs, SHIFTS.len() as u64);
}

#[test]
fn lost_track_falls_back_to_the_detector() {
    let base = image("webcam_like.png");
    let empty = RgbImage::from_pixel(base.width(), base.height(), Rgb([90, 90, 90]));
    let mut engine = engine(ModelVariant::Full);

    assert!(engine.track(&base).unwrap().person());
    assert_eq!(engine.stats().detector_runs, 1);
    // The person leaves: the tracked ROI finds nobody, so the detector runs again on the
    // same frame (and finds nobody either).
    let away = engine.track(&empty).unwrap();
    assert!(!away.person());
    assert_eq!(engine.stats().detector_runs, 2);
    // Back again: nothing is tracked, so the detector runs and the person is found.
    let back = engine.track(&base).unwrap();
    assert!(back.person() && back.detection.is_some());
    assert_eq!(engine.stats().detector_runs, 3);
}

/// The monitor's engine keeps one model session in memory at a time; it must see exactly
/// what the engine with both sessions sees, frame for frame, through a track that is held,
/// lost (the person leaves) and found again.
#[test]
fn one_session_at_a_time_gives_the_same_landmarks() {
    let base = image("webcam_like.png");
    let empty = RgbImage::from_pixel(base.width(), base.height(), Rgb([90, 90, 90]));
    let env = hunch::pose::runtime::init(None).expect("ONNX Runtime");
    let models = hunch::pose::models::ModelPaths::in_dir(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models"),
        ModelVariant::Full,
    )
    .unwrap();
    let opts = hunch::pose::SessionOptions::default();
    let mut both = engine(ModelVariant::Full);
    let mut one =
        hunch::pose::PoseEngine::with_residency(env, &models, opts, hunch::pose::Residency::One)
            .unwrap();
    // Validated at start, and the first frame's model (the detector) is the one kept.
    assert!(one.detector_loaded() && !one.landmarker_loaded());

    let mut frames: Vec<RgbImage> = SHIFTS[..4]
        .iter()
        .map(|&(dx, dy)| shifted(&base, dx, dy))
        .collect();
    frames.extend([empty.clone(), empty, base.clone(), shifted(&base, 3, 2)]);
    for (n, frame) in frames.iter().enumerate() {
        let a = both.track(frame).unwrap();
        let b = one.track(frame).unwrap();
        assert_eq!(a.person(), b.person(), "frame {n}");
        assert_eq!(a.detection.is_some(), b.detection.is_some(), "frame {n}");
        if let (Some(pa), Some(pb)) = (&a.pose, &b.pose) {
            for (la, lb) in pa.landmarks.iter().zip(&pb.landmarks) {
                assert_eq!((la.x, la.y, la.z), (lb.x, lb.y, lb.z), "frame {n}");
            }
        }
        assert!(
            !(one.detector_loaded() && one.landmarker_loaded()),
            "frame {n}: both sessions in memory"
        );
        // Tracking a person needs only the landmark model; nobody there, only the detector.
        assert_eq!(one.landmarker_loaded(), b.person(), "frame {n}");
    }
    let (sa, sb) = (both.stats(), one.stats());
    assert_eq!(
        (sa.detector_runs, sa.landmark_runs),
        (sb.detector_runs, sb.landmark_runs)
    );
    // Loads: the two at start, then one landmark model after the first detection, and the
    // detector and the landmark model once more for the person leaving and coming back.
    assert_eq!((sb.detector_loads, sb.landmark_loads), (2, 3), "{sb:?}");
}
