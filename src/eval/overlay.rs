//! Drawing the upper-body landmarks and skeleton over an image, for `hunch analyze
//! --overlay`: the quickest way for a person to see whether the pose is right.

use image::{Rgb, RgbImage};

use crate::pose::Pose;

/// Upper-body connections in BlazePose indices: face outline, shoulders, arms.
const UPPER_BODY_EDGES: [(usize, usize); 15] = [
    (0, 1),
    (1, 2),
    (2, 3),
    (3, 7),
    (0, 4),
    (4, 5),
    (5, 6),
    (6, 8),
    (9, 10),
    (11, 12),
    (11, 13),
    (13, 15),
    (12, 14),
    (14, 16),
    (7, 8),
];
const UPPER_BODY: std::ops::RangeInclusive<usize> = 0..=16;
/// Points the model itself doubts are left out rather than drawn in the wrong place.
const MIN_VISIBILITY: f32 = 0.5;

const LINE: Rgb<u8> = Rgb([255, 255, 255]);
const LEFT: Rgb<u8> = Rgb([255, 138, 0]);
const RIGHT: Rgb<u8> = Rgb([0, 217, 231]);
const CENTRE: Rgb<u8> = Rgb([255, 60, 60]);

/// Draws `pose` onto `img` in place; line width and dot size follow the image size.
pub fn draw_pose(img: &mut RgbImage, pose: &Pose) {
    let (w, h) = (img.width() as f32, img.height() as f32);
    let scale = (w.min(h) / 200.0).max(1.0);
    let px = |i: usize| {
        let l = pose.landmarks[i];
        (l.x * w, l.y * h)
    };
    let shown = |i: usize| pose.landmarks[i].visibility >= MIN_VISIBILITY;
    for &(a, b) in &UPPER_BODY_EDGES {
        if shown(a) && shown(b) {
            draw_line(img, px(a), px(b), scale * 0.8, LINE);
        }
    }
    for i in UPPER_BODY.filter(|&i| shown(i)) {
        let colour = match i {
            0 => CENTRE,
            1..=3 | 7 | 9 | 11 | 13 | 15 => LEFT,
            _ => RIGHT,
        };
        draw_disc(img, px(i), scale * 2.0, colour);
    }
}

fn draw_disc(img: &mut RgbImage, (cx, cy): (f32, f32), r: f32, colour: Rgb<u8>) {
    let (x0, x1) = ((cx - r).floor() as i64, (cx + r).ceil() as i64);
    let (y0, y1) = ((cy - r).floor() as i64, (cy + r).ceil() as i64);
    for y in y0..=y1 {
        for x in x0..=x1 {
            let (dx, dy) = (x as f32 - cx, y as f32 - cy);
            if dx * dx + dy * dy <= r * r {
                put(img, x, y, colour);
            }
        }
    }
}

/// A thick line as a run of discs: simple and good enough for a debugging overlay.
fn draw_line(img: &mut RgbImage, a: (f32, f32), b: (f32, f32), r: f32, colour: Rgb<u8>) {
    let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
    let steps = (len / (r * 0.5).max(0.5)).ceil().min(10_000.0) as usize;
    for s in 0..=steps {
        let t = if steps == 0 {
            0.0
        } else {
            s as f32 / steps as f32
        };
        draw_disc(
            img,
            (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t),
            r,
            colour,
        );
    }
}

fn put(img: &mut RgbImage, x: i64, y: i64, colour: Rgb<u8>) {
    if x >= 0 && y >= 0 && (x as u32) < img.width() && (y as u32) < img.height() {
        img.put_pixel(x as u32, y as u32, colour);
    }
}
