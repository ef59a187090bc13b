//! What a source gives: a [`Frame`], in memory only; and [`Exposure`], cheap checks on a
//! raw frame before any model runs — a covered lens or a dark room gives frames the pose
//! model cannot use, and the user should hear that rather than "no person".

use image::RgbImage;

/// One frame, in memory only.
#[derive(Debug, Clone)]
pub struct Frame {
    pub image: RgbImage,
    /// Seconds on the source's clock (the recording's own clock for replays).
    pub t: f64,
    pub index: u64,
}

/// Mean and standard deviation of luma (0–255) over a sparse grid of pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Exposure {
    pub mean: f32,
    pub std: f32,
}

/// Darker than this on average: lens covered, or the lights are off.
const DARK_MEAN: f32 = 16.0;
/// Less contrast than this: a blank frame (covered lens, privacy shutter, unexposed).
const BLANK_STD: f32 = 4.0;

impl Exposure {
    /// Samples about 4,000 pixels: enough for a mean and spread, negligible cost.
    pub fn of(img: &RgbImage) -> Exposure {
        let (w, h) = img.dimensions();
        if w == 0 || h == 0 {
            return Exposure {
                mean: 0.0,
                std: 0.0,
            };
        }
        let step = ((w as u64 * h as u64 / 4096).max(1) as f64).sqrt().max(1.0) as u32;
        let (mut n, mut sum, mut sq) = (0f64, 0f64, 0f64);
        for y in (0..h).step_by(step as usize) {
            for x in (0..w).step_by(step as usize) {
                let p = img.get_pixel(x, y).0;
                let l = 0.299 * p[0] as f64 + 0.587 * p[1] as f64 + 0.114 * p[2] as f64;
                n += 1.0;
                sum += l;
                sq += l * l;
            }
        }
        let mean = sum / n;
        Exposure {
            mean: mean as f32,
            std: (sq / n - mean * mean).max(0.0).sqrt() as f32,
        }
    }

    /// Whether the frame carries no usable picture.
    pub fn is_blank(&self) -> bool {
        self.mean < DARK_MEAN || self.std < BLANK_STD
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn black_and_uniform_frames_are_blank_a_real_scene_is_not() {
        assert!(Exposure::of(&RgbImage::new(64, 48)).is_blank());
        assert!(
            Exposure::of(&RgbImage::from_pixel(64, 48, image::Rgb([128, 128, 128]))).is_blank()
        );
        let scene = RgbImage::from_fn(64, 48, |x, y| {
            image::Rgb([(x * 4) as u8, (y * 5) as u8, 90])
        });
        let e = Exposure::of(&scene);
        assert!(!e.is_blank(), "{e:?}");
    }
}
