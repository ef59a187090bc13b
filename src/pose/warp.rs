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
///
/// On x86-64 this is an SSE2 kernel (part of every x86-64 CPU): about half the time of
/// [`warp_into_scalar`], whose output it reproduces bit for bit (tested on thousands of
/// random rectangles). Elsewhere it is [`warp_into_scalar`].
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
    if img.width() == 0 || img.height() == 0 {
        // Nothing to sample: every pixel is outside, and there is no edge to replicate.
        out.fill(lo);
        return;
    }
    #[cfg(target_arch = "x86_64")]
    {
        // Byte offsets are i32 in the kernel; a bigger image (over 2 GB) takes the
        // scalar path.
        if img.as_raw().len() <= i32::MAX as usize {
            assert_eq!(out.len(), out_w * out_h * 3, "tensor buffer size");
            let map = Affine::new(rect, out_w, out_h);
            // SAFETY: SSE2 is part of the x86-64 baseline, so the CPU has it.
            unsafe { sse2::warp(img, &map, out, out_w, out_h, border, lo, hi) };
            return;
        }
    }
    warp_into_scalar(img, rect, out, out_w, out_h, border, lo, hi)
}

/// The output-pixel → image-pixel map: the rectangle's top-left corner plus steps along
/// its rotated axes. Both implementations evaluate it with the same f32 operations in the
/// same order, which is what makes them agree bit for bit.
#[derive(Debug, Clone, Copy)]
struct Affine {
    /// Image step per output column.
    ax: [f32; 2],
    /// Image step per output row.
    ay: [f32; 2],
    /// Image position of output pixel (0, 0).
    origin: [f32; 2],
}

impl Affine {
    fn new(rect: &PixelRect, out_w: usize, out_h: usize) -> Self {
        let (s, c) = rect.rotation.sin_cos();
        Affine {
            ax: [c * rect.width / out_w as f32, s * rect.width / out_w as f32],
            ay: [
                -s * rect.height / out_h as f32,
                c * rect.height / out_h as f32,
            ],
            origin: [
                rect.cx - 0.5 * (c * rect.width - s * rect.height),
                rect.cy - 0.5 * (s * rect.width + c * rect.height),
            ],
        }
    }

    /// Image position of the start of output row `v`.
    #[inline(always)]
    fn row(&self, v: usize) -> [f32; 2] {
        [
            self.origin[0] + self.ay[0] * v as f32,
            self.origin[1] + self.ay[1] * v as f32,
        ]
    }

    /// Sample position of output column `u` in a row starting at `row`, in 1/32 pixel.
    #[inline(always)]
    fn sample(&self, row: [f32; 2], u: usize) -> (i32, i32) {
        (
            round_to_i32((row[0] + self.ax[0] * u as f32) * SUBPIXEL),
            round_to_i32((row[1] + self.ax[1] * u as f32) * SUBPIXEL),
        )
    }
}

/// The straightforward per-pixel form of [`warp_into`]: the reference its fast path is
/// tested against, and the implementation on targets other than x86-64.
#[allow(clippy::too_many_arguments)]
pub fn warp_into_scalar(
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
    let map = Affine::new(rect, out_w, out_h);
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
        let row = map.row(v);
        let line = &mut out[v * out_w * 3..(v + 1) * out_w * 3];
        for (u, px) in line.chunks_exact_mut(3).enumerate() {
            let (sx, sy) = map.sample(row, u);
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

#[cfg(target_arch = "x86_64")]
mod sse2 {
    //! The warp with SSE2. Per chunk of an output row: first the sample positions (a loop
    //! the compiler vectorises), then each pixel's four tap offsets and bilinear weights
    //! with the border rule applied without branches (clamped offsets; for the zero
    //! border, a tap outside the image gets weight 0, which is what the scalar form's
    //! skipped tap amounts to), then the blend of the four RGB taps with two `pmaddwd`s.
    //! Integer sums, rounding and the final `v * scale + lo` are the scalar form's
    //! operations, so the result is the same to the bit.

    use std::arch::x86_64::*;

    use super::{Affine, Border, RgbImage};

    const CHUNK: usize = 64;

    /// The RGB bytes at `i` (and the next byte, or 0 at the very end) as one i32.
    #[inline(always)]
    fn rgbx(src: &[u8], i: i32) -> i32 {
        let i = i as usize;
        match src.get(i..i + 4) {
            Some(b) => i32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            None => i32::from_le_bytes([src[i], src[i + 1], src[i + 2], 0]),
        }
    }

    #[target_feature(enable = "sse2")]
    #[allow(clippy::too_many_arguments)]
    pub(super) fn warp(
        img: &RgbImage,
        map: &Affine,
        out: &mut [f32],
        out_w: usize,
        out_h: usize,
        border: Border,
        lo: f32,
        hi: f32,
    ) {
        let (iw, ih) = (img.width() as i32, img.height() as i32);
        let src = img.as_raw().as_slice();
        let stride = iw * 3;
        let zero_border = border == Border::Zero;
        let scale = _mm_set1_ps((hi - lo) / 255.0);
        let offset = _mm_set1_ps(lo);
        let half = _mm_set1_epi32(512);
        let zero = _mm_setzero_si128();
        let (mut sx, mut sy) = ([0i32; CHUNK], [0i32; CHUNK]);
        // Byte offsets of the four taps (top-left, top-right, bottom-left, bottom-right)
        // and the weights as i16 pairs (top-left | top-right << 16, and the bottom two).
        let mut taps = [[0i32; CHUNK]; 4];
        let (mut w_top, mut w_bottom) = ([0i32; CHUNK], [0i32; CHUNK]);

        for v in 0..out_h {
            let row = map.row(v);
            let line = &mut out[v * out_w * 3..(v + 1) * out_w * 3];
            for (c, chunk) in line.chunks_mut(CHUNK * 3).enumerate() {
                let n = chunk.len() / 3;
                for k in 0..n {
                    (sx[k], sy[k]) = map.sample(row, c * CHUNK + k);
                }
                for k in 0..n {
                    let (x0, y0) = (sx[k] >> 5, sy[k] >> 5);
                    let (fx, fy) = (sx[k] & 31, sy[k] & 31);
                    let (x1, y1) = (x0.wrapping_add(1), y0.wrapping_add(1));
                    let mut w = [
                        (32 - fx) * (32 - fy),
                        fx * (32 - fy),
                        (32 - fx) * fy,
                        fx * fy,
                    ];
                    if zero_border {
                        let inside = |p: i32, n: i32| (p >= 0 && p < n) as i32;
                        let (in_x0, in_x1) = (inside(x0, iw), inside(x1, iw));
                        let (in_y0, in_y1) = (inside(y0, ih), inside(y1, ih));
                        w[0] *= in_x0 & in_y0;
                        w[1] *= in_x1 & in_y0;
                        w[2] *= in_x0 & in_y1;
                        w[3] *= in_x1 & in_y1;
                    }
                    let (c0, c1) = (x0.clamp(0, iw - 1) * 3, x1.clamp(0, iw - 1) * 3);
                    let (r0, r1) = (y0.clamp(0, ih - 1) * stride, y1.clamp(0, ih - 1) * stride);
                    taps[0][k] = r0 + c0;
                    taps[1][k] = r0 + c1;
                    taps[2][k] = r1 + c0;
                    taps[3][k] = r1 + c1;
                    w_top[k] = w[0] | (w[1] << 16);
                    w_bottom[k] = w[2] | (w[3] << 16);
                }
                for (k, px) in chunk.chunks_exact_mut(3).enumerate() {
                    let tap = |t: usize| _mm_cvtsi32_si128(rgbx(src, taps[t][k]));
                    // [r0 r1 g0 g1 b0 b1 _ _] as i16, times [w0 w1 w0 w1 …]: per channel
                    // r0·w0 + r1·w1 in one i32 lane.
                    let top = _mm_unpacklo_epi8(_mm_unpacklo_epi8(tap(0), tap(1)), zero);
                    let bottom = _mm_unpacklo_epi8(_mm_unpacklo_epi8(tap(2), tap(3)), zero);
                    let acc = _mm_add_epi32(
                        _mm_madd_epi16(top, _mm_set1_epi32(w_top[k])),
                        _mm_madd_epi16(bottom, _mm_set1_epi32(w_bottom[k])),
                    );
                    let value = _mm_srai_epi32::<10>(_mm_add_epi32(acc, half));
                    let f = _mm_add_ps(_mm_mul_ps(_mm_cvtepi32_ps(value), scale), offset);
                    px[0] = _mm_cvtss_f32(f);
                    px[1] = _mm_cvtss_f32(_mm_shuffle_ps::<0b01>(f, f));
                    px[2] = _mm_cvtss_f32(_mm_shuffle_ps::<0b10>(f, f));
                }
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

    /// xorshift64: a fixed, dependency-free stream of test values.
    fn rng(mut state: u64) -> impl FnMut() -> u64 {
        move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        }
    }

    #[test]
    fn fast_warp_matches_scalar_bit_for_bit() {
        let mut next = rng(0x5eed);
        let mut unit = move || (next() % 1_000_001) as f32 / 1_000_000.0;
        for (iw, ih) in [(640, 480), (1, 1), (7, 3), (224, 224), (33, 65)] {
            let img = RgbImage::from_fn(iw, ih, |x, y| {
                image::Rgb([(x * 7 + y * 3) as u8, (x ^ y) as u8, (x * y + 11) as u8])
            });
            for case in 0..200 {
                let (w, h) = (iw as f32, ih as f32);
                let rect = PixelRect {
                    cx: -0.5 * w + 2.0 * w * unit(),
                    cy: -0.5 * h + 2.0 * h * unit(),
                    width: 0.5 + 3.0 * w * unit(),
                    height: 0.5 + 3.0 * h * unit(),
                    rotation: -4.0 + 8.0 * unit(),
                };
                // The models' sizes, then small odd ones (chunk edges, single pixels).
                let (ow, oh) = match case {
                    0 => (256, 256),
                    1 => (224, 224),
                    _ => (1 + (unit() * 140.0) as usize, 1 + (unit() * 40.0) as usize),
                };
                for border in [Border::Zero, Border::Replicate] {
                    let (lo, hi) = if border == Border::Zero {
                        (-1.0, 1.0)
                    } else {
                        (0.0, 1.0)
                    };
                    let mut fast = vec![f32::NAN; ow * oh * 3];
                    let mut scalar = vec![f32::NAN; ow * oh * 3];
                    warp_into(&img, &rect, &mut fast, ow, oh, border, lo, hi);
                    warp_into_scalar(&img, &rect, &mut scalar, ow, oh, border, lo, hi);
                    let same = fast
                        .iter()
                        .zip(&scalar)
                        .all(|(a, b)| a.to_bits() == b.to_bits());
                    assert!(same, "{iw}x{ih} {rect:?} -> {ow}x{oh} {border:?}");
                }
            }
        }
    }

    #[test]
    fn empty_image_gives_the_border_value() {
        let img = RgbImage::new(0, 0);
        let rect = PixelRect {
            cx: 0.0,
            cy: 0.0,
            width: 4.0,
            height: 4.0,
            rotation: 0.0,
        };
        let mut out = vec![9.0; 4 * 4 * 3];
        warp_into(&img, &rect, &mut out, 4, 4, Border::Replicate, -1.0, 1.0);
        assert!(out.iter().all(|&v| v == -1.0));
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
