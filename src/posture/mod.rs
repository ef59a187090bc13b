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
pub use model::{ModelParams, Neutral, Reading};

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
