//! The BlazePose person detector: letterboxed 224×224 input, SSD decoding, sigmoid
//! scores, weighted non-maximum suppression, letterbox removal (MediaPipe's
//! `pose_detection_cpu` graph).

use image::RgbImage;
use ndarray::Array4;
use ort::{session::Session, value::TensorRef};
use serde::Serialize;

use super::anchors::{pose_anchors, Anchor, INPUT_SIZE};
use super::roi::PixelRect;
use super::session::{extract, inference, load, ModelFile, SessionOptions};
use super::warp::{warp_into, Border};
use super::PoseError;

const INPUT: &str = "input_1";
const OUT_BOXES: &str = "Identity";
const OUT_SCORES: &str = "Identity_1";
const NUM_COORDS: usize = 12;
const MIN_SCORE: f32 = 0.5;
const SCORE_CLIP: f32 = 100.0;
const NMS_IOU: f32 = 0.3;

/// A detected person, normalised to the image. Keypoint 0 is the hip centre and
/// keypoint 1 sets the body's scale and rotation; 2–3 do the same for the face.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Detection {
    pub score: f32,
    /// xmin, ymin, width, height.
    pub bbox: [f32; 4],
    pub keypoints: [[f32; 2]; 4],
}

pub struct Detector {
    session: Session,
    anchors: Vec<Anchor>,
    input: Array4<f32>,
}

impl Detector {
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
        let session = load(
            env,
            model,
            opts,
            (INPUT, [1, INPUT_SIZE as i64, INPUT_SIZE as i64, 3]),
            &[OUT_BOXES, OUT_SCORES],
        )?;
        let n = INPUT_SIZE as usize;
        Ok(Self {
            session,
            anchors: pose_anchors(),
            input: Array4::zeros((1, n, n, 3)),
        })
    }

    /// All people found after NMS, best first.
    pub fn detect(&mut self, img: &RgbImage) -> Result<Vec<Detection>, PoseError> {
        let (rect, pad) = PixelRect::letterboxed(img.width(), img.height(), INPUT_SIZE, INPUT_SIZE);
        let n = INPUT_SIZE as usize;
        let buf = self
            .input
            .as_slice_mut()
            .ok_or_else(|| PoseError::Inference("detector input not contiguous".into()))?;
        warp_into(img, &rect, buf, n, n, Border::Zero, -1.0, 1.0);

        let input = TensorRef::from_array_view(&self.input).map_err(inference)?;
        let outputs = self
            .session
            .run(ort::inputs![INPUT => input])
            .map_err(inference)?;
        let boxes = extract(&outputs, OUT_BOXES, self.anchors.len() * NUM_COORDS)?;
        let scores = extract(&outputs, OUT_SCORES, self.anchors.len())?;

        let raw = decode(boxes, scores, &self.anchors);
        Ok(weighted_nms(raw)
            .into_iter()
            .map(|d| remove_letterbox(d, pad))
            .collect())
    }
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Decodes every anchor whose score passes, in letterboxed-input coordinates.
fn decode(boxes: &[f32], scores: &[f32], anchors: &[Anchor]) -> Vec<Detection> {
    let s = INPUT_SIZE as f32;
    let mut out = Vec::new();
    for (i, a) in anchors.iter().enumerate() {
        let score = sigmoid(scores[i].clamp(-SCORE_CLIP, SCORE_CLIP));
        if score < MIN_SCORE {
            continue;
        }
        let r = &boxes[i * NUM_COORDS..(i + 1) * NUM_COORDS];
        let (cx, cy) = (r[0] / s + a.x, r[1] / s + a.y);
        let (w, h) = (r[2] / s, r[3] / s);
        let mut keypoints = [[0.0; 2]; 4];
        for (k, kp) in keypoints.iter_mut().enumerate() {
            *kp = [r[4 + 2 * k] / s + a.x, r[5 + 2 * k] / s + a.y];
        }
        out.push(Detection {
            score,
            bbox: [cx - w / 2.0, cy - h / 2.0, w, h],
            keypoints,
        });
    }
    out
}

fn iou(a: &[f32; 4], b: &[f32; 4]) -> f32 {
    let x0 = a[0].max(b[0]);
    let y0 = a[1].max(b[1]);
    let x1 = (a[0] + a[2]).min(b[0] + b[2]);
    let y1 = (a[1] + a[3]).min(b[1] + b[3]);
    if x1 <= x0 || y1 <= y0 {
        return 0.0;
    }
    let inter = (x1 - x0) * (y1 - y0);
    let union = a[2] * a[3] + b[2] * b[3] - inter;
    if union > 0.0 {
        inter / union
    } else {
        0.0
    }
}

/// MediaPipe's WEIGHTED non-maximum suppression: each cluster of boxes overlapping the
/// best remaining one by IoU > 0.3 is replaced by their score-weighted mean (box and
/// keypoints), keeping the best score.
fn weighted_nms(mut dets: Vec<Detection>) -> Vec<Detection> {
    dets.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut out = Vec::new();
    while let Some(top) = dets.first().copied() {
        let (cluster, rest): (Vec<Detection>, Vec<Detection>) = dets
            .into_iter()
            .partition(|d| iou(&top.bbox, &d.bbox) > NMS_IOU);
        dets = rest;
        let total: f32 = cluster.iter().map(|d| d.score).sum();
        let mut merged = top;
        if total > 0.0 {
            let mut corners = [0.0f32; 4];
            let mut kps = [[0.0f32; 2]; 4];
            for d in &cluster {
                let w = d.score / total;
                corners[0] += d.bbox[0] * w;
                corners[1] += d.bbox[1] * w;
                corners[2] += (d.bbox[0] + d.bbox[2]) * w;
                corners[3] += (d.bbox[1] + d.bbox[3]) * w;
                for (acc, kp) in kps.iter_mut().zip(d.keypoints.iter()) {
                    acc[0] += kp[0] * w;
                    acc[1] += kp[1] * w;
                }
            }
            merged.bbox = [
                corners[0],
                corners[1],
                corners[2] - corners[0],
                corners[3] - corners[1],
            ];
            merged.keypoints = kps;
        }
        out.push(merged);
    }
    out
}

/// Maps from the letterboxed square back to the original image.
fn remove_letterbox(mut d: Detection, pad: [f32; 2]) -> Detection {
    let (px, py) = (pad[0], pad[1]);
    let (sx, sy) = (1.0 - 2.0 * px, 1.0 - 2.0 * py);
    d.bbox = [
        (d.bbox[0] - px) / sx,
        (d.bbox[1] - py) / sy,
        d.bbox[2] / sx,
        d.bbox[3] / sy,
    ];
    for kp in &mut d.keypoints {
        *kp = [(kp[0] - px) / sx, (kp[1] - py) / sy];
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn det(score: f32, x: f32) -> Detection {
        Detection {
            score,
            bbox: [x, 0.0, 1.0, 1.0],
            keypoints: [[x, 0.0]; 4],
        }
    }

    #[test]
    fn nms_merges_overlaps_by_score_and_keeps_separate_people() {
        let out = weighted_nms(vec![det(0.6, 0.1), det(0.9, 0.0), det(0.7, 5.0)]);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].score, 0.9);
        // Weighted mean of x = 0.0 (0.9) and 0.1 (0.6).
        let expect = 0.1 * 0.6 / 1.5;
        assert!((out[0].bbox[0] - expect).abs() < 1e-6);
        assert!((out[0].keypoints[0][0] - expect).abs() < 1e-6);
        assert_eq!(out[1].bbox[0], 5.0);
    }

    #[test]
    fn letterbox_removal_inverts_padding() {
        let d = remove_letterbox(det(1.0, 0.5), [0.0, 0.125]);
        assert!((d.keypoints[0][1] - (0.0 - 0.125) / 0.75).abs() < 1e-6);
        assert!((d.bbox[3] - 1.0 / 0.75).abs() < 1e-6);
    }

    #[test]
    fn iou_of_disjoint_and_identical_boxes() {
        assert_eq!(iou(&[0.0, 0.0, 1.0, 1.0], &[2.0, 2.0, 1.0, 1.0]), 0.0);
        assert!((iou(&[0.0, 0.0, 1.0, 1.0], &[0.0, 0.0, 1.0, 1.0]) - 1.0).abs() < 1e-6);
    }
}
