//! Regions of interest: MediaPipe's rotated `NormalizedRect` and the rules that make one
//! from two alignment points (detector keypoints 0–1, or auxiliary landmarks 33–34).

use serde::Serialize;

/// A rotated rectangle, centre and size normalised to the image (as MediaPipe's
/// `NormalizedRect`), rotation in radians, positive clockwise in image coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Roi {
    pub x_center: f32,
    pub y_center: f32,
    pub width: f32,
    pub height: f32,
    pub rotation: f32,
}

/// The rectangle in pixels, as the image warp wants it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PixelRect {
    pub cx: f32,
    pub cy: f32,
    pub width: f32,
    pub height: f32,
    pub rotation: f32,
}

/// BlazePose's ROI margin around the alignment box (RectTransformationCalculator).
const ROI_SCALE: f32 = 1.25;
/// The body's alignment vector points straight up in the crop.
const TARGET_ANGLE: f32 = std::f32::consts::FRAC_PI_2;

/// Wraps an angle into [-π, π), as MediaPipe's `NormalizeRadians`.
fn normalize_radians(a: f32) -> f32 {
    use std::f32::consts::PI;
    a - 2.0 * PI * ((a + PI) / (2.0 * PI)).floor()
}

impl Roi {
    /// The ROI for a body whose centre is `center` and whose extent is given by `scale`
    /// (both normalised): AlignmentPointsRectsCalculator (box side = 2·|scale − center| px,
    /// rotation so the vector points up), then RectTransformationCalculator (square on the
    /// long side, ×1.25).
    pub fn from_alignment(center: [f32; 2], scale: [f32; 2], width: u32, height: u32) -> Roi {
        let (w, h) = (width as f32, height as f32);
        let (x0, y0) = (center[0] * w, center[1] * h);
        let (x1, y1) = (scale[0] * w, scale[1] * h);
        let side = ((x1 - x0).powi(2) + (y1 - y0).powi(2)).sqrt() * 2.0;
        let rotation = normalize_radians(TARGET_ANGLE - (-(y1 - y0)).atan2(x1 - x0));
        // The box is already square in pixels, so MediaPipe's `square_long` changes nothing.
        Roi {
            x_center: center[0],
            y_center: center[1],
            width: side / w * ROI_SCALE,
            height: side / h * ROI_SCALE,
            rotation,
        }
    }

    /// Whether `other` is near enough to `self` to keep using `self` for tracking: centre
    /// within 5% of the ROI side, side within 15%, rotation within 8°.
    pub fn close_to(&self, other: &Roi, width: u32, height: u32) -> bool {
        let (a, b) = (
            self.to_pixels(width, height),
            other.to_pixels(width, height),
        );
        let side = a.width.max(1e-6);
        let moved = (a.cx - b.cx).hypot(a.cy - b.cy) / side;
        let scaled = (b.width / side - 1.0).abs();
        let turned = normalize_radians(a.rotation - b.rotation).abs();
        moved <= 0.05 && scaled <= 0.15 && turned <= 8f32.to_radians()
    }

    pub fn to_pixels(&self, width: u32, height: u32) -> PixelRect {
        PixelRect {
            cx: self.x_center * width as f32,
            cy: self.y_center * height as f32,
            width: self.width * width as f32,
            height: self.height * height as f32,
            rotation: self.rotation,
        }
    }

    /// Maps a point given in ROI-normalised coordinates ([0,1]² across the crop) to
    /// image-normalised coordinates (LandmarkProjectionCalculator).
    pub fn project(&self, x: f32, y: f32) -> [f32; 2] {
        let (s, c) = self.rotation.sin_cos();
        let (x, y) = (x - 0.5, y - 0.5);
        [
            (c * x - s * y) * self.width + self.x_center,
            (s * x + c * y) * self.height + self.y_center,
        ]
    }
}

impl PixelRect {
    /// The whole image, grown to the tensor's aspect ratio (letterbox). Returns the rect
    /// and the padding (left/right, top/bottom) as fractions of the tensor.
    pub fn letterboxed(
        width: u32,
        height: u32,
        tensor_w: u32,
        tensor_h: u32,
    ) -> (PixelRect, [f32; 2]) {
        let (w, h) = (width as f32, height as f32);
        let tensor_aspect = tensor_h as f32 / tensor_w as f32;
        let roi_aspect = h / w;
        let (nw, nh, pad) = if tensor_aspect > roi_aspect {
            (
                w,
                w * tensor_aspect,
                [0.0, (1.0 - roi_aspect / tensor_aspect) / 2.0],
            )
        } else {
            (
                h / tensor_aspect,
                h,
                [(1.0 - tensor_aspect / roi_aspect) / 2.0, 0.0],
            )
        };
        let rect = PixelRect {
            cx: w / 2.0,
            cy: h / 2.0,
            width: nw,
            height: nh,
            rotation: 0.0,
        };
        (rect, pad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upright_body_has_zero_rotation() {
        // Scale point straight above the centre: the body is upright.
        let r = Roi::from_alignment([0.5, 0.8], [0.5, 0.4], 100, 100);
        assert!(r.rotation.abs() < 1e-6, "{}", r.rotation);
        assert!((r.width - 0.4 * 2.0 * 1.25).abs() < 1e-6);
        assert_eq!(r.width, r.height);
    }

    #[test]
    fn body_leaning_right_rotates_clockwise() {
        // Scale point up and to the right: the crop must turn by +45°.
        let r = Roi::from_alignment([0.5, 0.5], [0.6, 0.4], 100, 100);
        assert!((r.rotation - std::f32::consts::FRAC_PI_4).abs() < 1e-5);
    }

    #[test]
    fn roi_is_square_in_pixels_on_wide_images() {
        let r = Roi::from_alignment([0.5, 0.5], [0.5, 0.25], 640, 480);
        let p = r.to_pixels(640, 480);
        assert!((p.width - p.height).abs() < 1e-3);
    }

    #[test]
    fn projection_of_crop_centre_is_roi_centre_and_corners_rotate() {
        let r = Roi {
            x_center: 0.3,
            y_center: 0.6,
            width: 0.2,
            height: 0.2,
            rotation: std::f32::consts::FRAC_PI_2,
        };
        let c = r.project(0.5, 0.5);
        assert!((c[0] - 0.3).abs() < 1e-6 && (c[1] - 0.6).abs() < 1e-6);
        // The crop's top-centre lands to the right of the centre after a 90° turn.
        let t = r.project(0.5, 0.0);
        assert!(
            (t[0] - 0.4).abs() < 1e-6 && (t[1] - 0.6).abs() < 1e-6,
            "{t:?}"
        );
    }

    #[test]
    fn close_to_keeps_small_changes_and_rejects_large_ones() {
        let a = Roi::from_alignment([0.5, 0.9], [0.52, 0.3], 640, 480);
        let mut b = a;
        b.x_center += 0.01; // 6.4 px of a ~960 px side
        assert!(a.close_to(&b, 640, 480));
        b.width *= 1.2;
        assert!(!a.close_to(&b, 640, 480));
        let mut c = a;
        c.rotation += 0.2; // 11.5°
        assert!(!a.close_to(&c, 640, 480));
        let mut d = a;
        d.y_center += 0.15; // 72 px
        assert!(!a.close_to(&d, 640, 480));
    }

    #[test]
    fn letterbox_pads_the_short_side() {
        let (r, pad) = PixelRect::letterboxed(640, 480, 224, 224);
        assert_eq!((r.width, r.height), (640.0, 640.0));
        assert_eq!(pad[0], 0.0);
        assert!((pad[1] - 0.125).abs() < 1e-6);
    }

    #[test]
    fn normalize_radians_wraps() {
        use std::f32::consts::PI;
        assert!((normalize_radians(3.0 * PI / 2.0) + PI / 2.0).abs() < 1e-5);
        assert!((normalize_radians(-3.0 * PI / 2.0) - PI / 2.0).abs() < 1e-5);
    }
}
