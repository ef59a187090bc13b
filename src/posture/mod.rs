//! From landmarks to posture: features, the neck-forward angle against the user's own
//! neutral posture, calibration, and the temporal filter that decides when hunching is
//! sustained. Knows nothing of ONNX, cameras or notifications.

pub mod calibration;
pub mod features;
pub mod filter;
pub mod model;

pub use calibration::{Calibration, CalibrationError, Calibrator};
pub use features::{extract, Features, Rejection};
pub use filter::{FilterParams, Filtered, PostureFilter, PostureState, Sample};
pub use model::{FrameClass, ModelParams, Neutral, Reading};

use crate::pose::PoseEstimate;

/// Features and reading of one frame against a calibration.
pub fn assess(
    est: &PoseEstimate,
    neutral: &Neutral,
    params: &ModelParams,
) -> Result<(Features, Reading), Rejection> {
    let f = extract(est)?;
    let r = model::reading(&f, neutral, params);
    Ok((f, r))
}

/// Builders of synthetic poses with known geometry, for the unit tests.
#[cfg(test)]
pub(crate) mod synthetic {
    use crate::pose::{Landmark, Pose, PoseEstimate, NUM_LANDMARKS};

    /// A frontal upper body in a `w`×`h` image; points in pixels.
    pub struct Layout {
        pub w: u32,
        pub h: u32,
        pub shoulders: ([f32; 2], [f32; 2]),
        pub eyes: ([f32; 2], [f32; 2]),
        pub ears: ([f32; 2], [f32; 2]),
        pub nose: [f32; 2],
        /// World ear midpoint minus shoulder midpoint, metres.
        pub neck_world: [f32; 3],
    }

    impl Layout {
        /// Shoulders 200 px apart at y = 300, eyes 40 px apart at y = 150.
        pub fn upright() -> Layout {
            Layout {
                w: 600,
                h: 400,
                shoulders: ([400.0, 300.0], [200.0, 300.0]),
                eyes: ([320.0, 150.0], [280.0, 150.0]),
                ears: ([340.0, 155.0], [260.0, 155.0]),
                nose: [300.0, 170.0],
                neck_world: elevation(70.0),
            }
        }

        pub fn estimate(&self) -> PoseEstimate {
            let mut lm = [Landmark::default(); NUM_LANDMARKS];
            let mut world = [[0.0f32; 3]; NUM_LANDMARKS];
            let mut put = |i: usize, p: [f32; 2]| {
                lm[i] = Landmark {
                    x: p[0] / self.w as f32,
                    y: p[1] / self.h as f32,
                    z: 0.0,
                    visibility: 0.99,
                    presence: 0.99,
                };
            };
            put(0, self.nose);
            put(2, self.eyes.0);
            put(5, self.eyes.1);
            put(7, self.ears.0);
            put(8, self.ears.1);
            put(11, self.shoulders.0);
            put(12, self.shoulders.1);
            // Shoulders at the world origin's height, ears offset by neck_world.
            world[11] = [0.2, 0.0, 0.0];
            world[12] = [-0.2, 0.0, 0.0];
            world[7] = [
                0.07 + self.neck_world[0],
                self.neck_world[1],
                self.neck_world[2],
            ];
            world[8] = [
                -0.07 + self.neck_world[0],
                self.neck_world[1],
                self.neck_world[2],
            ];
            PoseEstimate {
                width: self.w,
                height: self.h,
                presence: 0.99,
                roi: None,
                detection: None,
                pose: Some(Pose {
                    landmarks: lm,
                    world,
                }),
            }
        }
    }

    /// A 15 cm neck vector at `deg` above the horizontal, toward the camera.
    pub fn elevation(deg: f32) -> [f32; 3] {
        let r = deg.to_radians();
        [0.0, -0.15 * r.sin(), -0.15 * r.cos()]
    }
}
