//! Cutting a rotated rectangle out of an image into a model's input tensor.
//!
//! This reproduces MediaPipe's CPU `ImageToTensorCalculator` (OpenCV converter) closely
//! enough that our landmarks land on MediaPipe's: the rectangle's corners map to the
//! tensor's corners with OpenCV's pixel-index convention (the sample for output pixel
//! `(i, j)` is taken at the affine image of `(i, j)`, not of `(i + ½, j + ½)`), sample
//! positions are quantised to 1/32 pixel, bilinear interpolation uses OpenCV's integer
//! weights on 8-bit values and rounds back to 8 bits, and only then is the value scaled to
//! the model's float range.
//! With BlazePose's ROI often 2.5× the image, a half-pixel convention error in the crop
//! would move landmarks by several image pixels, so these details matter.

use image::RgbImage;

use super::roi::PixelRect;

/// What an output pixel gets when its sample falls outside the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Border {
    /// Zero (black) before range scaling: the detector's letterbox.
    Zero,
    /// The nearest edge pixel: the landmark model's crop.
    Replicate,
}

/// Fixed-point precision of OpenCV's remap (INTER_BITS = 5).
const SUBPIXEL: f32 = 32.0;

/// Fills `out` (HWC, `out_w × out_h × 3`, f32) with the crop of `img` under `rect`,
/// values mapped from [0, 255] to [`lo`, `hi`].
#[allow(clippy::too_many_arguments)]
pub fn warp_into(
    img: &RgbImage,
    rect: &PixelRect,
    out: &mut [f32],
    out_w: usize,
    out_h: usize,
    border: Border,
    lo: f32,
    hi: f32,
) {
    assert_eq!(out.len(), out_w * out_h * 3, "tensor buffer size");
    let (iw, ih) = (img.width() as i32, img.height() as i32);
    let src = img.as_raw();
    let (s, c) = rect.rotation.sin_cos();
    // Affine map from output pixel index (u, v) to image pixel index: the rectangle's
    // top-left corner plus steps along its rotated axes.
    let ax = [c * rect.width / out_w as f32, s * rect.width / out_w as f32];
    let ay = [
        -s * rect.height / out_h as f32,
        c * rect.height / out_h as f32,
    ];
    let origin = [
        rect.cx - 0.5 * (c * rect.width - s * rect.height),
        rect.cy - 0.5 * (s * rect.width + c * rect.height),
    ];
    // 8-bit value → model range, once per value rather than once per sample.
    let scale = (hi - lo) / 255.0;
    let lut: [f32; 256] = std::array::from_fn(|v| v as f32 * scale + lo);
    let (iw_u, stride) = (iw as usize, iw as usize * 3);
    // Byte offset of pixel (x, y) and whether it exists; the border rule decides what a
    // missing pixel contributes. Resolving that once per tap (not per channel) keeps the
    // many samples outside a large ROI as cheap as those inside.
    let tap = |x: i32, y: i32| -> (usize, bool) {
        match border {
            Border::Replicate => {
                let (x, y) = (x.clamp(0, iw - 1) as usize, y.clamp(0, ih - 1) as usize);
                ((y * iw_u + x) * 3, true)
            }
            Border::Zero => {
                if x < 0 || y < 0 || x >= iw || y >= ih {
                    (0, false)
                } else {
                    ((y as usize * iw_u + x as usize) * 3, true)
                }
            }
        }
    };

    for v in 0..out_h {
        let row_x = origin[0] + ay[0] * v as f32;
        let row_y = origin[1] + ay[1] * v as f32;
        let line = &mut out[v * out_w * 3..(v + 1) * out_w * 3];
        for (u, px) in line.chunks_exact_mut(3).enumerate() {
            let sx = round_to_i32((row_x + ax[0] * u as f32) * SUBPIXEL);
            let sy = round_to_i32((row_y + ax[1] * u as f32) * SUBPIXEL);
            let (x0, y0) = (sx >> 5, sy >> 5);
            // OpenCV's integer bilinear weights: (32 − fx)(32 − fy) etc., summing to 1024.
            let (fx, fy) = ((sx & 31) as u32, (sy & 31) as u32);
            let mut w = [
                (32 - fx) * (32 - fy),
                fx * (32 - fy),
                (32 - fx) * fy,
                fx * fy,
            ];
            let idx = if x0 >= 0 && y0 >= 0 && x0 + 1 < iw && y0 + 1 < ih {
                let i = (y0 as usize * iw_u + x0 as usize) * 3;
                [i, i + 3, i + stride, i + stride + 3]
            } else {
                let taps = [
                    tap(x0, y0),
                    tap(x0 + 1, y0),
                    tap(x0, y0 + 1),
                    tap(x0 + 1, y0 + 1),
                ];
                for (wk, (_, ok)) in w.iter_mut().zip(taps.iter()) {
                    if !ok {
                        *wk = 0;
                    }
                }
                taps.map(|(i, _)| i)
            };
            let p = idx.map(|i| &src[i..i + 3]);
            for (ch, dst) in px.iter_mut().enumerate() {
                let acc = p[0][ch] as u32 * w[0]
                    + p[1][ch] as u32 * w[1]
                    + p[2][ch] as u32 * w[2]
                    + p[3][ch] as u32 * w[3];
                // acc ≤ 255 · 1024, so the index is at most 255.
                *dst = lut[(((acc + 512) >> 10) as usize).min(255)];
            }
        }
    }
}

/// Nearest integer. `f32::round` compiles to a library call on baseline x86-64 (no
/// SSE4.1), which made it most of the warp's cost; truncation is one instruction.
#[inline(always)]
fn round_to_i32(v: f32) -> i32 {
    let b = v + 0.5;
    let t = b as i32;
    if (t as f32) > b {
        t - 1
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gradient(w: u32, h: u32) -> RgbImage {
        RgbImage::from_fn(w, h, |x, y| image::Rgb([(x * 10) as u8, (y * 10) as u8, 7]))
    }

    #[test]
    fn rounding_matches_round_half_up() {
        for v in [
            -2.5f32, -1.5, -1.2, -0.5, -0.2, 0.0, 0.49, 0.5, 1.5, 31.7, -31.7,
        ] {
            assert_eq!(round_to_i32(v), (v + 0.5).floor() as i32, "{v}");
        }
    }

    #[test]
    fn identity_rect_copies_pixels() {
        let img = gradient(8, 6);
        let rect = PixelRect {
            cx: 4.0,
            cy: 3.0,
            width: 8.0,
            height: 6.0,
            rotation: 0.0,
        };
        let mut out = vec![0.0; 8 * 6 * 3];
        warp_into(&img, &rect, &mut out, 8, 6, Border::Replicate, 0.0, 255.0);
        for y in 0..6 {
            for x in 0..8 {
                let i = (y * 8 + x) * 3;
                assert_eq!(out[i], (x * 10) as f32);
                assert_eq!(out[i + 1], (y * 10) as f32);
                assert_eq!(out[i + 2], 7.0);
            }
        }
    }

    #[test]
    fn zero_border_outside_and_range_scaling() {
        let img = gradient(4, 4);
        // A rect twice the image, centred: the outer ring of samples is outside.
        let rect = PixelRect {
            cx: 2.0,
            cy: 2.0,
            width: 8.0,
            height: 8.0,
            rotation: 0.0,
        };
        let mut out = vec![0.0; 4 * 4 * 3];
        warp_into(&img, &rect, &mut out, 4, 4, Border::Zero, -1.0, 1.0);
        // Output (0,0) samples image (-2,-2): black, which is -1 after scaling.
        assert_eq!(out[0], -1.0);
        // Output (2,2) samples image (2,2): 20/255 scaled to [-1, 1].
        let i = (2 * 4 + 2) * 3;
        assert!((out[i] - (20.0 / 127.5 - 1.0)).abs() < 1e-6);
    }

    #[test]
    fn half_turn_flips_the_image() {
        let img = gradient(5, 5);
        let rect = PixelRect {
            cx: 2.0,
            cy: 2.0,
            width: 5.0,
            height: 5.0,
            rotation: std::f32::consts::PI,
        };
        let mut out = vec![0.0; 5 * 5 * 3];
        warp_into(&img, &rect, &mut out, 5, 5, Border::Replicate, 0.0, 255.0);
        // Output (0,0) maps to the image's (4.5, 4.5) corner region; the top-left of the
        // output shows the bottom-right of the image.
        assert!(out[0] >= 40.0 && out[1] >= 40.0, "{:?}", &out[..3]);
        let last = (5 * 5 - 1) * 3;
        assert!(out[last] <= 10.0 && out[last + 1] <= 10.0);
    }
}
