//! Posture features from one frame's landmarks, each gated by the model's own confidence.
//!
//! Everything here is in image pixels (not normalised coordinates, which stretch x and y
//! differently on a 4:3 frame) or, for the world vector, in BlazePose's metric world frame.

use serde::{Deserialize, Serialize};

use crate::pose::{Landmark, PoseEstimate};

/// Landmarks below this visibility or presence are treated as not seen.
const MIN_CONFIDENCE: f32 = 0.5;

const NOSE: usize = 0;
const LEFT_EYE: usize = 2;
const RIGHT_EYE: usize = 5;
const LEFT_EAR: usize = 7;
const RIGHT_EAR: usize = 8;
const LEFT_SHOULDER: usize = 11;
const RIGHT_SHOULDER: usize = 12;

/// Why a frame gives no posture measurement. Each is its own state so that the monitor
/// can tell "you left" from "you turned to the second screen".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rejection {
    /// No person (pose presence < 0.5).
    NoPerson,
    /// One or both shoulders not seen (out of frame or hidden).
    ShouldersNotVisible,
    /// Neither ear pair nor eye pair seen well enough to place the head.
    HeadNotVisible,
    /// The head is turned too far from the camera for the frontal model.
    HeadTurned,
    /// The head is tilted sideways too far.
    HeadTilted,
}

impl Rejection {
    /// Its name, as JSON and `hunch eval` spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Rejection::NoPerson => "no_person",
            Rejection::ShouldersNotVisible => "shoulders_not_visible",
            Rejection::HeadNotVisible => "head_not_visible",
            Rejection::HeadTurned => "head_turned",
            Rejection::HeadTilted => "head_tilted",
        }
    }

    /// What the user can do about it, for calibration messages.
    pub fn advice(self) -> &'static str {
        match self {
            Rejection::NoPerson => "no person is visible: sit in front of the camera",
            Rejection::ShouldersNotVisible => {
                "both shoulders must be in view: move back or tilt the camera down a little"
            }
            Rejection::HeadNotVisible => {
                "your face is not clearly visible: check the light and the camera angle"
            }
            Rejection::HeadTurned => "your head is turned: face the screen the camera sits on",
            Rejection::HeadTilted => "your head is tilted sideways: hold it level",
        }
    }
}

/// The head turned by more than this fraction of the eye spacing (nose offset from the
/// eye midpoint) is rejected. The nose tip sits roughly one eye spacing in front of the
/// eye line, so 0.5 is about 30° of yaw.
const MAX_YAW: f32 = 0.5;
/// The ear line tilted more than this (degrees) is rejected.
const MAX_ROLL_DEG: f32 = 25.0;

/// Measurements of one frame. Points are pixels, y down.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Features {
    pub shoulder_mid: [f32; 2],
    /// Distance between the shoulders, px: the body's own ruler.
    pub shoulder_width: f32,
    /// Midpoint of the eyes, px.
    pub head_mid: [f32; 2],
    /// Eye spacing, px: grows as the head comes closer to the camera.
    pub head_width: f32,
    pub nose: [f32; 2],
    /// Nose offset from the eye midpoint as a fraction of eye spacing; 0 = facing the
    /// camera, positive = turned toward the image's right.
    pub yaw: f32,
    /// Head roll in degrees (eye line vs horizontal), positive = clockwise.
    pub roll_deg: f32,
    /// Shoulder line vs horizontal in degrees.
    pub shoulder_tilt_deg: f32,
    /// Which ears were seen: (left, right).
    pub ears_visible: (bool, bool),
    /// World-landmark vector (metres) from the shoulder midpoint to the ear midpoint:
    /// x right, y down, z away from the camera.
    pub neck_world: [f32; 3],
}

impl Features {
    /// Height of the head point above the shoulder line relative to shoulder width: the
    /// main frontal cue. It shrinks when the head drops or moves forward.
    pub fn head_height_ratio(&self) -> f32 {
        (self.shoulder_mid[1] - self.head_mid[1]) / self.shoulder_width
    }

    /// Head width relative to shoulder width: grows when the head comes forward.
    pub fn head_scale(&self) -> f32 {
        self.head_width / self.shoulder_width
    }

    /// How far the nose tip sits below the eyes, per eye spacing: grows when the head
    /// pitches down (reading a phone, looking at the keyboard).
    pub fn pitch(&self) -> f32 {
        (self.nose[1] - self.head_mid[1]) / self.head_width
    }
}

/// Confident, and inside the frame: BlazePose extrapolates landmarks beyond the image
/// edge, sometimes still with high visibility (a shoulder 40 px outside a 310 px crop
/// scored 0.98), so the model's own scores are not enough.
fn seen(l: &Landmark) -> bool {
    l.visibility >= MIN_CONFIDENCE
        && l.presence >= MIN_CONFIDENCE
        && (0.0..=1.0).contains(&l.x)
        && (0.0..=1.0).contains(&l.y)
}

fn mid(a: [f32; 2], b: [f32; 2]) -> [f32; 2] {
    [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0]
}

fn dist(a: [f32; 2], b: [f32; 2]) -> f32 {
    (a[0] - b[0]).hypot(a[1] - b[1])
}

fn tilt_deg(left: [f32; 2], right: [f32; 2]) -> f32 {
    // BlazePose's "left" is the person's left: on the image's right for a frontal camera.
    (left[1] - right[1]).atan2(left[0] - right[0]).to_degrees()
}

/// Extracts the features, or says why this frame cannot be measured.
pub fn extract(est: &PoseEstimate) -> Result<Features, Rejection> {
    let pose = est.pose.as_ref().ok_or(Rejection::NoPerson)?;
    let (w, h) = (est.width as f32, est.height as f32);
    let lm = &pose.landmarks;
    let px = |i: usize| [lm[i].x * w, lm[i].y * h];

    if !seen(&lm[LEFT_SHOULDER]) || !seen(&lm[RIGHT_SHOULDER]) {
        return Err(Rejection::ShouldersNotVisible);
    }
    let (ls, rs) = (px(LEFT_SHOULDER), px(RIGHT_SHOULDER));
    let shoulder_width = dist(ls, rs);
    if shoulder_width < 1.0 {
        return Err(Rejection::ShouldersNotVisible);
    }

    // The eyes place the head: from a frontal camera they are seen far more reliably
    // than the ears (hair, headphones, a slight turn), and switching between eyes and ears
    // frame by frame would make the measurement jump. Calibration absorbs the constant
    // eye-to-ear offset.
    if !seen(&lm[LEFT_EYE]) || !seen(&lm[RIGHT_EYE]) {
        return Err(Rejection::HeadNotVisible);
    }
    let (le, re) = (px(LEFT_EYE), px(RIGHT_EYE));
    let (head_mid, head_width, roll_deg) = (mid(le, re), dist(le, re), tilt_deg(le, re));
    if head_width < 1.0 {
        return Err(Rejection::HeadNotVisible);
    }
    let ears = (seen(&lm[LEFT_EAR]), seen(&lm[RIGHT_EAR]));
    // The world vector goes to the ears (the tragus is where CVA is measured); world
    // landmarks are inferred for every point, seen or not.
    let world_head = mid3(pose.world[LEFT_EAR], pose.world[RIGHT_EAR]);

    let nose = px(NOSE);
    let yaw = (nose[0] - head_mid[0]) / head_width;
    if yaw.abs() > MAX_YAW {
        return Err(Rejection::HeadTurned);
    }
    if roll_deg.abs() > MAX_ROLL_DEG {
        return Err(Rejection::HeadTilted);
    }

    let world_sh = mid3(pose.world[LEFT_SHOULDER], pose.world[RIGHT_SHOULDER]);
    Ok(Features {
        shoulder_mid: mid(ls, rs),
        shoulder_width,
        head_mid,
        head_width,
        nose,
        yaw,
        roll_deg,
        shoulder_tilt_deg: tilt_deg(ls, rs),
        ears_visible: ears,
        neck_world: [
            world_head[0] - world_sh[0],
            world_head[1] - world_sh[1],
            world_head[2] - world_sh[2],
        ],
    })
}

fn mid3(a: [f32; 3], b: [f32; 3]) -> [f32; 3] {
    [
        (a[0] + b[0]) / 2.0,
        (a[1] + b[1]) / 2.0,
        (a[2] + b[2]) / 2.0,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::posture::synthetic::Layout;

    #[test]
    fn hand_computed_features() {
        let f = extract(&Layout::upright().estimate()).unwrap();
        assert_eq!(f.shoulder_width, 200.0);
        assert_eq!(f.shoulder_mid, [300.0, 300.0]);
        assert_eq!(f.head_mid, [300.0, 150.0]);
        assert!((f.head_height_ratio() - 0.75).abs() < 1e-6);
        assert!((f.head_scale() - 0.2).abs() < 1e-6);
        assert!((f.pitch() - 0.5).abs() < 1e-6); // nose 20 px below eyes / 40 px
        assert!(f.yaw.abs() < 1e-6 && f.roll_deg.abs() < 1e-4 && f.shoulder_tilt_deg.abs() < 1e-4);
        assert_eq!(f.ears_visible, (true, true));
    }

    #[test]
    fn roll_and_tilt_have_the_expected_sign_and_size() {
        let mut l = Layout::upright();
        // Person's left eye (image right) 20 px lower over 40 px: atan(0.5) = 26.6° > 25°.
        l.eyes.0[1] += 20.0;
        assert_eq!(extract(&l.estimate()), Err(Rejection::HeadTilted));
        let mut l = Layout::upright();
        l.eyes.0[1] += 8.0; // atan(8/40) = 11.3°
        let f = extract(&l.estimate()).unwrap();
        assert!((f.roll_deg - 11.31).abs() < 0.01, "{}", f.roll_deg);
        let mut l = Layout::upright();
        l.shoulders.0[1] -= 20.0; // left shoulder raised
        let f = extract(&l.estimate()).unwrap();
        assert!(
            (f.shoulder_tilt_deg + 5.71).abs() < 0.01,
            "{}",
            f.shoulder_tilt_deg
        );
    }

    #[test]
    fn turned_head_hidden_shoulder_and_no_person_are_rejected() {
        let mut l = Layout::upright();
        l.nose[0] += 30.0; // 0.75 of the eye spacing
        assert_eq!(extract(&l.estimate()), Err(Rejection::HeadTurned));

        let mut e = Layout::upright().estimate();
        e.pose.as_mut().unwrap().landmarks[12].visibility = 0.2;
        assert_eq!(extract(&e), Err(Rejection::ShouldersNotVisible));

        let mut l = Layout::upright();
        l.shoulders.1[0] = -30.0; // outside the frame, whatever the model's score
        assert_eq!(extract(&l.estimate()), Err(Rejection::ShouldersNotVisible));

        let mut e = Layout::upright().estimate();
        e.pose.as_mut().unwrap().landmarks[2].presence = 0.1;
        assert_eq!(extract(&e), Err(Rejection::HeadNotVisible));

        let mut e = Layout::upright().estimate();
        e.pose = None;
        assert_eq!(extract(&e), Err(Rejection::NoPerson));
    }
}
