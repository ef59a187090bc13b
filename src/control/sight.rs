//! What a window may see of the monitor's frames: a [`Picture`] (downscaled, with the
//! upper body's landmarks), and how it crosses the control channel ([`Sight`]: the picture
//! as a JPEG, asked for with `Command::Sight`).
//!
//! Privacy: the channel is the user's own (a 0600 socket, a named pipe for the user's SID
//! only), the monitor keeps the latest picture only for a few seconds after a window asked
//! for it (so only while one is open), and nothing of it is written anywhere.

use image::RgbImage;
use serde::{Deserialize, Serialize};

use crate::pose::Pose;

/// The landmarks drawn on the picture: the face's nose, eyes and ears, the shoulders,
/// elbows and hips (BlazePose's indices).
pub const UPPER_BODY: [usize; 11] = [0, 2, 5, 7, 8, 11, 12, 13, 14, 23, 24];

/// A landmark is drawn when the model is at least this sure it is visible.
const VISIBLE: f32 = 0.5;

/// The picture's width at most, in pixels: enough for a window's page, a fraction of a
/// camera frame to copy, encode and hand over.
pub const PICTURE_WIDTH: u32 = 480;

/// A frame as the window shows it: downscaled, with the upper body's landmarks in its own
/// pixels. Held in memory only, and only while the window is open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Picture {
    pub width: u32,
    pub height: u32,
    /// RGB, row by row.
    pub rgb: Vec<u8>,
    /// [`UPPER_BODY`]'s landmarks in this picture's pixels, `None` where not visible.
    pub points: [Option<[f32; 2]>; UPPER_BODY.len()],
    /// Counts pictures, so the window uploads each one once.
    pub seq: u64,
}

impl Picture {
    /// `image` scaled to at most `max_width` pixels wide (never up), and `pose`'s upper
    /// body in the scaled picture's pixels.
    pub fn of(image: &RgbImage, pose: Option<&Pose>, max_width: u32, seq: u64) -> Picture {
        let (w, h) = image.dimensions();
        let scale = if w > max_width {
            max_width as f32 / w as f32
        } else {
            1.0
        };
        let (pw, ph) = (
            ((w as f32 * scale).round() as u32).max(1),
            ((h as f32 * scale).round() as u32).max(1),
        );
        let rgb = if (pw, ph) == (w, h) {
            image.as_raw().clone()
        } else {
            image::imageops::resize(image, pw, ph, image::imageops::FilterType::Triangle).into_raw()
        };
        let mut points = [None; UPPER_BODY.len()];
        if let Some(p) = pose {
            for (slot, &i) in points.iter_mut().zip(UPPER_BODY.iter()) {
                let l = p.landmarks[i];
                // Landmarks are normalised to the frame.
                if l.visibility >= VISIBLE {
                    *slot = Some([l.x * pw as f32, l.y * ph as f32]);
                }
            }
        }
        Picture {
            width: pw,
            height: ph,
            rgb,
            points,
            seq,
        }
    }

    /// A landmark by its BlazePose index, if it is one of [`UPPER_BODY`] and visible.
    pub fn point(&self, landmark: usize) -> Option<[f32; 2]> {
        let i = UPPER_BODY.iter().position(|&l| l == landmark)?;
        self.points[i]
    }
}

/// A [`Picture`] as it crosses the control channel: the pixels as a JPEG (a few tens of
/// kilobytes instead of half a megabyte of RGB), the rest as it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sight {
    /// Unix ms of the frame.
    pub frame_wall_ms: i64,
    pub width: u32,
    pub height: u32,
    pub jpeg: Vec<u8>,
    pub points: [Option<[f32; 2]>; UPPER_BODY.len()],
}

/// JPEG quality for a [`Sight`]: the picture is for looking at, at window size.
const QUALITY: u8 = 80;

impl Sight {
    pub fn of(p: &Picture, frame_wall_ms: i64) -> Result<Sight, image::ImageError> {
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, QUALITY).encode(
            &p.rgb,
            p.width,
            p.height,
            image::ExtendedColorType::Rgb8,
        )?;
        Ok(Sight {
            frame_wall_ms,
            width: p.width,
            height: p.height,
            jpeg,
            points: p.points,
        })
    }

    /// The picture back (numbered `seq`), or why not.
    pub fn picture(&self, seq: u64) -> Result<Picture, String> {
        let image = image::load_from_memory_with_format(&self.jpeg, image::ImageFormat::Jpeg)
            .map_err(|e| format!("the monitor's picture cannot be read: {e}"))?
            .to_rgb8();
        if image.dimensions() != (self.width, self.height) {
            return Err(format!(
                "the monitor's picture is {}x{}, not the {}x{} it said",
                image.width(),
                image.height(),
                self.width,
                self.height
            ));
        }
        Ok(Picture {
            width: self.width,
            height: self.height,
            rgb: image.into_raw(),
            points: self.points,
            seq,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pose::{Landmark, NUM_LANDMARKS};

    fn pose_at(points: &[(usize, [f32; 2], f32)]) -> Pose {
        let mut landmarks = [Landmark::default(); NUM_LANDMARKS];
        for &(i, [x, y], visibility) in points {
            landmarks[i] = Landmark {
                x,
                y,
                visibility,
                ..Landmark::default()
            };
        }
        Pose {
            landmarks,
            world: [[0.0; 3]; NUM_LANDMARKS],
        }
    }

    #[test]
    fn a_picture_is_scaled_down_with_its_landmarks_and_hides_unsure_ones() {
        let mut image = RgbImage::new(960, 720);
        image.put_pixel(100, 100, image::Rgb([255, 0, 0]));
        let pose = pose_at(&[(7, [0.25, 0.5], 0.9), (8, [0.75, 0.5], 0.2)]);
        let p = Picture::of(&image, Some(&pose), 480, 3);
        assert_eq!((p.width, p.height), (480, 360));
        assert_eq!(p.rgb.len(), 480 * 360 * 3);
        assert_eq!(p.point(7), Some([120.0, 180.0]));
        assert_eq!(p.point(8), None, "visibility 0.2 is not drawn");
        assert_eq!(p.point(1), None, "not an upper-body landmark we draw");
        assert_eq!(p.seq, 3);
    }

    #[test]
    fn a_sight_carries_the_picture_as_a_jpeg_and_back() {
        // A real frame of a real person, with landmarks.
        let image = image::open(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/demo/slouching-0.jpg"
        ))
        .unwrap()
        .to_rgb8();
        let pose = pose_at(&[(11, [0.3, 0.8], 0.9), (12, [0.7, 0.8], 0.95)]);
        let p = Picture::of(&image, Some(&pose), 480, 9);
        let sight = Sight::of(&p, 1_000).unwrap();
        assert!(
            sight.jpeg.len() < p.rgb.len() / 4,
            "{} bytes",
            sight.jpeg.len()
        );
        // Through the channel's JSON and back.
        let text = serde_json::to_string(&sight).unwrap();
        let back: Sight = serde_json::from_str(&text).unwrap();
        let q = back.picture(10).unwrap();
        assert_eq!(
            (q.width, q.height, q.points, q.seq),
            (p.width, p.height, p.points, 10)
        );
        let mean_error = p
            .rgb
            .iter()
            .zip(&q.rgb)
            .map(|(a, b)| (*a as f64 - *b as f64).abs())
            .sum::<f64>()
            / p.rgb.len() as f64;
        assert!(
            mean_error < 6.0,
            "JPEG changed pixels by {mean_error} on average"
        );
        // A picture that does not match its stated size is refused.
        let wrong = Sight { width: 3, ..back };
        assert!(wrong.picture(1).is_err());
    }

    #[test]
    fn a_small_picture_is_kept_as_it_is() {
        let image = RgbImage::from_pixel(320, 240, image::Rgb([1, 2, 3]));
        let p = Picture::of(&image, None, 480, 1);
        assert_eq!((p.width, p.height), (320, 240));
        assert_eq!(&p.rgb[..3], &[1, 2, 3]);
        assert!(p.points.iter().all(Option::is_none));
    }
}
