//! The BlazePose landmark model: the ROI warped to 256×256, 39 landmarks decoded with
//! visibility and presence, refined on the 64×64 heatmap, projected back to the image,
//! and world landmarks rotated back out of the ROI frame (MediaPipe's
//! `pose_landmark_by_roi_cpu` graph).

use image::RgbImage;
use ndarray::Array4;
use ort::{session::Session, value::TensorRef};

use super::roi::Roi;
use super::session::{extract, inference, load, ModelFile, SessionOptions};
use super::warp::{warp_into, Border};
use super::{Landmark, PoseError, ALL_LANDMARKS};

const INPUT: &str = "input_1";
const OUT_LANDMARKS: &str = "Identity";
const OUT_PRESENCE: &str = "Identity_1";
/// The segmentation mask, removed from hunch's models (see models/README.md).
const OUT_MASK: &str = "Identity_2";
const OUT_HEATMAP: &str = "Identity_3";
const OUT_WORLD: &str = "Identity_4";
pub const INPUT_SIZE: usize = 256;
const HEATMAP_SIZE: usize = 64;
const REFINE_KERNEL: usize = 7;
const MIN_REFINE_CONFIDENCE: f32 = 0.5;

/// What the landmark model says about one ROI.
#[derive(Debug, Clone)]
pub struct LandmarkOutput {
    /// Pose presence, a probability; below 0.5 there is no person in the ROI.
    pub presence: f32,
    /// All 39 landmarks (33 body + 2 auxiliary + 4 unused), normalised to the image.
    pub landmarks: [Landmark; ALL_LANDMARKS],
    /// World landmarks in metres, hip-centred, in the camera's orientation.
    pub world: [[f32; 3]; ALL_LANDMARKS],
}

pub struct Landmarker {
    session: Session,
    input: Array4<f32>,
}

impl Landmarker {
    pub fn new(
        env: &ort::environment::Environment,
        path: &std::path::Path,
        opts: SessionOptions,
    ) -> Result<Self, PoseError> {
        Self::from_file(env, &ModelFile::open(path)?, opts)
    }

    pub(super) fn from_file(
        env: &ort::environment::Environment,
        model: &ModelFile,
        opts: SessionOptions,
    ) -> Result<Self, PoseError> {
        let path = model.path();
        let session = load(
            env,
            model,
            opts,
            (INPUT, [1, INPUT_SIZE as i64, INPUT_SIZE as i64, 3]),
            &[OUT_LANDMARKS, OUT_PRESENCE, OUT_HEATMAP, OUT_WORLD],
        )?;
        if session.outputs().iter().any(|o| o.name() == OUT_MASK) {
            // ONNX Runtime computes every output, wanted or not.
            tracing::warn!(
                "{} still has the segmentation output, which costs about half of each \
                 inference; hunch's models/ directory has the faster version",
                path.display()
            );
        }
        Ok(Self {
            session,
            input: Array4::zeros((1, INPUT_SIZE, INPUT_SIZE, 3)),
        })
    }

    pub fn run(&mut self, img: &RgbImage, roi: &Roi) -> Result<LandmarkOutput, PoseError> {
        let rect = roi.to_pixels(img.width(), img.height());
        let buf = self
            .input
            .as_slice_mut()
            .ok_or_else(|| PoseError::Inference("landmark input not contiguous".into()))?;
        warp_into(
            img,
            &rect,
            buf,
            INPUT_SIZE,
            INPUT_SIZE,
            Border::Replicate,
            0.0,
            1.0,
        );

        let input = TensorRef::from_array_view(&self.input).map_err(inference)?;
        let outputs = self
            .session
            .run(ort::inputs![INPUT => input])
            .map_err(inference)?;
        let raw = extract(&outputs, OUT_LANDMARKS, ALL_LANDMARKS * 5)?;
        let presence = extract(&outputs, OUT_PRESENCE, 1)?[0];
        let heatmap = extract(
            &outputs,
            OUT_HEATMAP,
            HEATMAP_SIZE * HEATMAP_SIZE * ALL_LANDMARKS,
        )?;
        let world_raw = extract(&outputs, OUT_WORLD, ALL_LANDMARKS * 3)?;

        let mut crop = decode(raw);
        refine_with_heatmap(&mut crop, heatmap);
        let landmarks = crop.map(|l| project(l, roi));
        let (s, c) = roi.rotation.sin_cos();
        let mut world = [[0.0; 3]; ALL_LANDMARKS];
        for (i, w) in world.iter_mut().enumerate() {
            let (x, y, z) = (world_raw[i * 3], world_raw[i * 3 + 1], world_raw[i * 3 + 2]);
            *w = [c * x - s * y, s * x + c * y, z];
        }
        Ok(LandmarkOutput {
            presence,
            landmarks,
            world,
        })
    }
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Landmarks in crop-normalised coordinates ([0,1] across the 256-pixel crop).
fn decode(raw: &[f32]) -> [Landmark; ALL_LANDMARKS] {
    let s = INPUT_SIZE as f32;
    std::array::from_fn(|i| {
        let r = &raw[i * 5..i * 5 + 5];
        Landmark {
            x: r[0] / s,
            y: r[1] / s,
            z: r[2] / s,
            visibility: sigmoid(r[3]),
            presence: sigmoid(r[4]),
        }
    })
}

/// MediaPipe's RefineLandmarksFromHeatmapCalculator: the sigmoid-weighted centroid of a
/// 7×7 heatmap window around each landmark replaces its x, y when the window's peak
/// confidence reaches 0.5. Reproduced as written, including that the centroid uses
/// cell indices (no half-cell offset) and that its bounds check tests the column twice
/// and never `row >= 64` (a row past the bottom just shrinks the window).
fn refine_with_heatmap(lms: &mut [Landmark; ALL_LANDMARKS], heatmap: &[f32]) {
    let n = HEATMAP_SIZE as i32;
    let half = (REFINE_KERNEL as i32 - 1) / 2;
    for (k, lm) in lms.iter_mut().enumerate() {
        let col = (lm.x * n as f32) as i32;
        let row = (lm.y * n as f32) as i32;
        if col < 0 || col >= n || row < 0 {
            continue;
        }
        let (c0, c1) = ((col - half).max(0), (col + half + 1).min(n));
        let (r0, r1) = ((row - half).max(0), (row + half + 1).min(n));
        let (mut sum, mut wc, mut wr, mut peak) = (0.0f32, 0.0f32, 0.0f32, 0.0f32);
        for r in r0..r1 {
            for c in c0..c1 {
                let idx = (r as usize * HEATMAP_SIZE + c as usize) * ALL_LANDMARKS + k;
                let conf = sigmoid(heatmap[idx]);
                sum += conf;
                peak = peak.max(conf);
                wc += c as f32 * conf;
                wr += r as f32 * conf;
            }
        }
        if peak >= MIN_REFINE_CONFIDENCE && sum > 0.0 {
            lm.x = wc / n as f32 / sum;
            lm.y = wr / n as f32 / sum;
        }
    }
}

fn project(l: Landmark, roi: &Roi) -> Landmark {
    let [x, y] = roi.project(l.x, l.y);
    Landmark {
        x,
        y,
        z: l.z * roi.width,
        ..l
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heatmap_peak_pulls_landmark_to_its_cell() {
        let mut lms = [Landmark::default(); ALL_LANDMARKS];
        lms[3].x = 10.2 / 64.0;
        lms[3].y = 20.7 / 64.0;
        let mut hm = vec![-20.0; 64 * 64 * ALL_LANDMARKS];
        hm[(21 * 64 + 12) * ALL_LANDMARKS + 3] = 20.0; // a sharp peak at row 21, col 12
        refine_with_heatmap(&mut lms, &hm);
        assert!((lms[3].x - 12.0 / 64.0).abs() < 1e-4, "{}", lms[3].x);
        assert!((lms[3].y - 21.0 / 64.0).abs() < 1e-4, "{}", lms[3].y);
    }

    #[test]
    fn weak_heatmap_leaves_landmark_alone() {
        let mut lms = [Landmark::default(); ALL_LANDMARKS];
        lms[0].x = 0.3;
        lms[0].y = 0.4;
        let hm = vec![-1.0; 64 * 64 * ALL_LANDMARKS]; // sigmoid(-1) ≈ 0.27 < 0.5
        refine_with_heatmap(&mut lms, &hm);
        assert_eq!((lms[0].x, lms[0].y), (0.3, 0.4));
    }
}
