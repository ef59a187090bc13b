//! BlazePose in Rust: person detection, landmark regression and tracking, reproducing
//! MediaPipe's CPU pipeline on ONNX Runtime.
//!
//! [`PoseEngine`] owns both ONNX sessions and their input buffers and turns an RGB image
//! into a [`PoseEstimate`]. For a stream of frames, [`PoseEngine::track`] takes the next
//! ROI from the previous frame's auxiliary landmarks (33–34) and runs the detector only
//! when that track is lost (presence < 0.5), as MediaPipe's video mode does; while the
//! track holds, the detector's session is released and created again when needed.
//! This module knows nothing of cameras or posture.

pub mod anchors;
pub mod detector;
pub mod landmarker;
pub mod models;
pub mod roi;
pub mod runtime;
mod session;
pub mod warp;

use std::path::PathBuf;

use image::RgbImage;
use serde::Serialize;
use thiserror::Error;

pub use detector::{Detection, Detector};
pub use landmarker::{LandmarkOutput, Landmarker};
pub use roi::Roi;
pub use session::SessionOptions;

use crate::pose::models::ModelPaths;

/// The 33 BlazePose body landmarks.
pub const NUM_LANDMARKS: usize = 33;
/// What the landmark model outputs: 33 body landmarks, 2 auxiliary ones for tracking, and
/// 4 the graph ignores.
pub const ALL_LANDMARKS: usize = 39;
/// Below this pose presence the landmark model sees no person.
const MIN_PRESENCE: f32 = 0.5;
/// The landmarks a track must keep: the shoulders (11, 12), which posture is measured
/// against. A tracked frame that has lost them goes back to the detector.
const TRACKED_LANDMARKS: [usize; 2] = [11, 12];

/// Names in BlazePose order, for output and overlays.
pub const LANDMARK_NAMES: [&str; NUM_LANDMARKS] = [
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
];

/// One landmark: x, y normalised to the image (may fall outside [0,1]), z on x's scale
/// relative to the hips, visibility and presence as probabilities.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Landmark {
    pub x: f32,
    pub y: f32,
    pub z: f32,
    pub visibility: f32,
    pub presence: f32,
}

#[derive(Debug, Error)]
pub enum PoseError {
    #[error(transparent)]
    Runtime(#[from] crate::pose::runtime::RuntimeError),
    #[error(transparent)]
    Models(#[from] crate::pose::models::ModelError),
    #[error("could not load model {path}: {reason}")]
    Model { path: PathBuf, reason: String },
    #[error("pose inference failed: {0}")]
    Inference(String),
    #[error("image is empty (0×0)")]
    EmptyImage,
}

/// A person found in a frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Pose {
    pub landmarks: [Landmark; NUM_LANDMARKS],
    /// Metres, origin between the hips, x to the image's right, y down, z away from camera.
    pub world: [[f32; 3]; NUM_LANDMARKS],
}

/// The outcome for one frame.
#[derive(Debug, Clone)]
pub struct PoseEstimate {
    pub width: u32,
    pub height: u32,
    /// Pose presence from the landmark model; 0 when nothing was detected.
    pub presence: f32,
    /// The ROI the landmark model ran on, if any.
    pub roi: Option<Roi>,
    /// The detector's output when it ran for this frame.
    pub detection: Option<Detection>,
    /// Landmarks, when presence ≥ 0.5.
    pub pose: Option<Pose>,
}

impl PoseEstimate {
    pub fn person(&self) -> bool {
        self.pose.is_some()
    }
}

/// Counters that show the tracker doing its job.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EngineStats {
    pub frames: u64,
    pub detector_runs: u64,
    pub landmark_runs: u64,
    /// Times the detector's session was created (the first at [`PoseEngine::new`]).
    pub detector_loads: u64,
    /// Detector runs because a tracked frame had lost the shoulders (part of
    /// `detector_runs`).
    pub redetections: u64,
    /// Times the landmark model's session was created (the first at [`PoseEngine::new`];
    /// more only with [`Residency::One`]).
    pub landmark_loads: u64,
}

/// How many model sessions the engine keeps in memory.
///
/// Most of a session's memory is its weights in ONNX Runtime's optimised layout, and
/// creating one briefly takes about twice what it then holds (the parsed file, the weights
/// before and after layout changes). With both models resident, one is always loaded on
/// top of the other; the monitor's peak memory is set there, at start.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Residency {
    /// Both sessions stay loaded (the detector is still released after
    /// [`DETECTOR_IDLE_FRAMES`] tracked frames): every frame at full speed, for
    /// `analyze`, `eval`, calibration and benchmarks.
    #[default]
    Both,
    /// One session at a time: the detector's is released before the landmark model's is
    /// created and the other way round, so the two are never in memory together. A lost
    /// track then costs two model loads (tens of ms each), which a monitor sampling once
    /// a second or slower can spend, for a peak and a steady memory about one model
    /// lower.
    One,
}

/// Frames tracked in a row without the detector after which its session is released.
/// At the monitor's one frame a second that is half a minute; creating it again when the
/// track is lost costs one model load (tens of ms).
const DETECTOR_IDLE_FRAMES: u32 = 30;

/// The detector's session, present only while it may be needed: it holds about 14 MB and
/// sits idle while the landmark model tracks the person on its own.
struct DetectorSlot {
    model: session::ModelFile,
    loaded: Option<Detector>,
    /// Frames since the detector last ran.
    idle: u32,
}

impl DetectorSlot {
    /// One more frame without the detector; releases it once idle long enough.
    fn idle_frame(&mut self) {
        self.idle = self.idle.saturating_add(1);
        if self.idle >= DETECTOR_IDLE_FRAMES && self.loaded.take().is_some() {
            session::release_free_memory();
        }
    }
}

/// Detector + landmark model + tracking state.
pub struct PoseEngine {
    env: ort::environment::Environment,
    opts: SessionOptions,
    residency: Residency,
    detector: DetectorSlot,
    landmark_model: session::ModelFile,
    landmarker: Option<Landmarker>,
    tracked: Option<Roi>,
    /// The shoulders were missing from the detector's crop too: do not go back to the
    /// detector for them again until a frame has them.
    shoulders_missing: bool,
    stats: EngineStats,
}

/// Whether the shoulders were found inside the image.
fn has_shoulders(pose: &Pose) -> bool {
    TRACKED_LANDMARKS.iter().all(|&i| {
        let l = &pose.landmarks[i];
        l.presence >= MIN_PRESENCE && (0.0..=1.0).contains(&l.x) && (0.0..=1.0).contains(&l.y)
    })
}

impl PoseEngine {
    /// Loads both models (ONNX Runtime must be loaded: [`crate::pose::runtime::init`]), keeping
    /// both in memory ([`Residency::Both`]). Both are loaded now, so that a missing or
    /// corrupt file is reported here; the detector's session is released later while
    /// tracking holds, and created again from the same open file when needed.
    pub fn new(
        env: &ort::environment::Environment,
        models: &ModelPaths,
        opts: SessionOptions,
    ) -> Result<Self, PoseError> {
        Self::with_residency(env, models, opts, Residency::Both)
    }

    /// As [`PoseEngine::new`], with the given [`Residency`]. With [`Residency::One`] both
    /// models are still loaded now, one after the other (so a bad file is reported here),
    /// and the detector, which the first frame needs, is the one kept.
    pub fn with_residency(
        env: &ort::environment::Environment,
        models: &ModelPaths,
        opts: SessionOptions,
        residency: Residency,
    ) -> Result<Self, PoseError> {
        let landmark_model = session::ModelFile::open(&models.landmark)?;
        let mut landmarker = Some(Landmarker::from_file(env, &landmark_model, opts)?);
        if residency == Residency::One {
            landmarker = None;
            session::release_free_memory();
        }
        let model = session::ModelFile::open(&models.detector)?;
        let detector = Detector::from_file(env, &model, opts)?;
        Ok(Self {
            env: env.clone(),
            opts,
            residency,
            detector: DetectorSlot {
                model,
                loaded: Some(detector),
                idle: 0,
            },
            landmark_model,
            landmarker,
            tracked: None,
            shoulders_missing: false,
            stats: EngineStats {
                detector_loads: 1,
                landmark_loads: 1,
                ..EngineStats::default()
            },
        })
    }

    /// The detector, created if it is not in memory (first releasing the landmark model's
    /// session with [`Residency::One`]).
    fn detector(&mut self) -> Result<&mut Detector, PoseError> {
        self.detector.idle = 0;
        if self.detector.loaded.is_none()
            && self.residency == Residency::One
            && self.landmarker.take().is_some()
        {
            session::release_free_memory();
        }
        match &mut self.detector.loaded {
            Some(d) => Ok(d),
            slot => {
                self.stats.detector_loads += 1;
                let d = Detector::from_file(&self.env, &self.detector.model, self.opts)?;
                Ok(slot.insert(d))
            }
        }
    }

    /// The landmark model, created if it is not in memory (first releasing the detector's
    /// session with [`Residency::One`]).
    fn landmarker(&mut self) -> Result<&mut Landmarker, PoseError> {
        if self.landmarker.is_none()
            && self.residency == Residency::One
            && self.detector.loaded.take().is_some()
        {
            session::release_free_memory();
        }
        match &mut self.landmarker {
            Some(l) => Ok(l),
            slot => {
                self.stats.landmark_loads += 1;
                let l = Landmarker::from_file(&self.env, &self.landmark_model, self.opts)?;
                Ok(slot.insert(l))
            }
        }
    }

    /// Whether the landmark model's session is in memory now.
    pub fn landmarker_loaded(&self) -> bool {
        self.landmarker.is_some()
    }

    /// Whether the detector's session is in memory now.
    pub fn detector_loaded(&self) -> bool {
        self.detector.loaded.is_some()
    }

    pub fn stats(&self) -> EngineStats {
        self.stats
    }

    /// Forgets the tracked ROI: the next frame runs the detector.
    pub fn reset(&mut self) {
        self.tracked = None;
        self.shoulders_missing = false;
    }

    /// One independent image (MediaPipe's IMAGE mode): always runs the detector.
    pub fn estimate(&mut self, img: &RgbImage) -> Result<PoseEstimate, PoseError> {
        self.reset();
        self.track(img)
    }

    /// The next frame of a stream (VIDEO mode): the ROI comes from the previous frame's
    /// auxiliary landmarks while the person stays found. When the track is lost the
    /// detector runs on this same frame, so that a monitor sampling once a second does
    /// not lose a whole sample.
    ///
    /// Two deliberate differences from MediaPipe:
    ///
    /// - A new ROI replaces the current one only when it has moved, grown or turned
    ///   noticeably ([`Roi::close_to`]). At a desk the hips are below the frame and the
    ///   auxiliary landmarks that place the ROI are extrapolated; letting every small
    ///   wobble move a crop that is 2–3× the image moved the shoulder landmarks by up to
    ///   30 px between frames of a still person. Keeping the ROI while it is close keeps
    ///   the crop, and so the landmarks, steady.
    /// - A tracked frame that has lost the shoulders ([`TRACKED_LANDMARKS`]: presence
    ///   below 0.5, or outside the image) counts as a lost track, not only one that has
    ///   lost the person. With the shoulders near the frame's bottom edge, the crop the
    ///   auxiliary landmarks give is worse for them than the detector's (the detector sees
    ///   the frame's edge; the landmark model sees the body continue into the replicated
    ///   border), and a track that had lost them kept its crop frame after frame. If the
    ///   detector's crop lacks them as well, they are really out of view, and the detector
    ///   is not asked again until a frame has them.
    pub fn track(&mut self, img: &RgbImage) -> Result<PoseEstimate, PoseError> {
        if img.width() == 0 || img.height() == 0 {
            return Err(PoseError::EmptyImage);
        }
        self.stats.frames += 1;
        // A tracked frame with the person but not the shoulders, kept in case the
        // detector does no better; with the ROI it would track on from.
        let mut without_shoulders = None;
        if let Some(roi) = self.tracked.take() {
            let out = self.run_landmarks(img, roi)?;
            if let Some(pose) = &out.pose {
                let shoulders = has_shoulders(pose);
                if shoulders || self.shoulders_missing {
                    self.shoulders_missing = !shoulders;
                    self.detector.idle_frame();
                    return Ok(out);
                }
                self.stats.redetections += 1;
                without_shoulders = Some((out, self.tracked.take()));
            }
        }
        self.stats.detector_runs += 1;
        let detection = self.detector()?.detect(img)?.into_iter().next();
        let detected = match detection {
            Some(det) => {
                let roi = Roi::from_alignment(
                    det.keypoints[0],
                    det.keypoints[1],
                    img.width(),
                    img.height(),
                );
                let mut out = self.run_landmarks(img, roi)?;
                out.detection = Some(det);
                Some(out)
            }
            None => None,
        };
        let detected_person = detected.as_ref().and_then(|d| d.pose.as_ref());
        self.shoulders_missing = detected_person.is_some_and(|p| !has_shoulders(p))
            || (detected_person.is_none() && without_shoulders.is_some());
        match (detected, without_shoulders) {
            // The detector lost the person the track still had: keep the track.
            (d, Some((tracked, next))) if d.as_ref().is_none_or(|d| d.pose.is_none()) => {
                self.tracked = next;
                Ok(tracked)
            }
            (Some(d), _) => Ok(d),
            (None, _) => Ok(PoseEstimate {
                width: img.width(),
                height: img.height(),
                presence: 0.0,
                roi: None,
                detection: None,
                pose: None,
            }),
        }
    }

    fn run_landmarks(&mut self, img: &RgbImage, roi: Roi) -> Result<PoseEstimate, PoseError> {
        self.stats.landmark_runs += 1;
        let out = self.landmarker()?.run(img, &roi)?;
        let person = out.presence >= MIN_PRESENCE;
        if person {
            let aux = (out.landmarks[33], out.landmarks[34]);
            let next = Roi::from_alignment(
                [aux.0.x, aux.0.y],
                [aux.1.x, aux.1.y],
                img.width(),
                img.height(),
            );
            self.tracked = Some(if roi.close_to(&next, img.width(), img.height()) {
                roi
            } else {
                next
            });
        }
        Ok(PoseEstimate {
            width: img.width(),
            height: img.height(),
            presence: out.presence,
            roi: Some(roi),
            detection: None,
            pose: person.then(|| Pose {
                landmarks: std::array::from_fn(|i| out.landmarks[i]),
                world: std::array::from_fn(|i| out.world[i]),
            }),
        })
    }
}
