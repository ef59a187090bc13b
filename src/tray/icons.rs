//! The tray's icons, drawn in code: a head over a pair of shoulders, coloured and leaning
//! by state, so they need no icon theme and look the same on every desktop. Each is an
//! ARGB32 pixmap in network byte order, as StatusNotifierItem's `IconPixmap` wants.

/// What the icon shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Face {
    Upright,
    Hunching,
    Hunched,
    Paused,
    Away,
    CameraInUse,
    /// Someone there, but not measurable now (turned away, camera trouble).
    Unmeasured,
}

impl Face {
    pub const ALL: [Face; 7] = [
        Face::Upright,
        Face::Hunching,
        Face::Hunched,
        Face::Paused,
        Face::Away,
        Face::CameraInUse,
        Face::Unmeasured,
    ];

    /// The figure's colour, RGB.
    fn colour(self) -> [u8; 3] {
        match self {
            Face::Upright => [0x2f, 0xa3, 0x5a],
            Face::Hunching => [0xe6, 0xa1, 0x17],
            Face::Hunched => [0xd9, 0x44, 0x3b],
            Face::Paused => [0x8c, 0x8c, 0x8c],
            Face::Away => [0x9a, 0x9a, 0x9a],
            Face::CameraInUse => [0x3b, 0x7d, 0xd8],
            Face::Unmeasured => [0xb0, 0xb0, 0xb0],
        }
    }

    /// Where the head is (unit square, y down): further forward and lower as the neck bends.
    fn head(self) -> (f32, f32) {
        match self {
            Face::Hunching => (0.60, 0.37),
            Face::Hunched => (0.70, 0.46),
            _ => (0.50, 0.29),
        }
    }
}

/// Signed distance from `p` to a circle.
fn circle(p: (f32, f32), c: (f32, f32), r: f32) -> f32 {
    (p.0 - c.0).hypot(p.1 - c.1) - r
}

/// Signed distance from `p` to a segment `a`–`b` of half-width `r`.
fn capsule(p: (f32, f32), a: (f32, f32), b: (f32, f32), r: f32) -> f32 {
    let (px, py, bx, by) = (p.0 - a.0, p.1 - a.1, b.0 - a.0, b.1 - a.1);
    let h = ((px * bx + py * by) / (bx * bx + by * by)).clamp(0.0, 1.0);
    (px - bx * h).hypot(py - by * h) - r
}

/// Signed distance from `p` to the figure of `face` (and its badge), and whether the
/// nearest part is the badge.
fn figure(face: Face, p: (f32, f32)) -> (f32, bool) {
    let head = face.head();
    let shoulders = circle(p, (0.5, 1.02), 0.36).max(p.1 - 0.97);
    let neck = capsule(p, (0.5, 0.70), head, 0.07);
    let mut body = shoulders.min(neck).min(circle(p, head, 0.17));
    if face == Face::Away {
        // An empty outline: nobody in it.
        body = body.abs() - 0.035;
    }
    let badge = match face {
        // Two bars, top left.
        Face::Paused => capsule(p, (0.14, 0.10), (0.14, 0.36), 0.045).min(capsule(
            p,
            (0.29, 0.10),
            (0.29, 0.36),
            0.045,
        )),
        // A small camera, top left: a body and a lens.
        Face::CameraInUse => {
            let (dx, dy) = ((p.0 - 0.17).abs() - 0.13, (p.1 - 0.2).abs() - 0.09);
            let rect = dx.max(dy).min(0.0) + dx.max(0.0).hypot(dy.max(0.0));
            rect.max(-circle(p, (0.17, 0.2), 0.045))
        }
        _ => f32::INFINITY,
    };
    if badge < body {
        (badge, true)
    } else {
        (body, false)
    }
}

/// The icon for `face`, `size`×`size` pixels, ARGB32 in network byte order.
pub fn pixmap(face: Face, size: u32) -> Vec<u8> {
    let colour = face.colour();
    let badge_colour = [0x55, 0x55, 0x55];
    let n = size.max(1) as f32;
    let mut out = Vec::with_capacity((size * size * 4) as usize);
    for y in 0..size {
        for x in 0..size {
            let p = ((x as f32 + 0.5) / n, (y as f32 + 0.5) / n);
            let (d, is_badge) = figure(face, p);
            // Anti-aliased edge: coverage of the pixel by the shape, from its distance.
            let a = (0.5 - d * n).clamp(0.0, 1.0);
            let [r, g, b] = if is_badge { badge_colour } else { colour };
            out.extend_from_slice(&[(a * 255.0).round() as u8, r, g, b]);
        }
    }
    out
}

/// The sizes offered to the tray host, which picks the nearest to its own.
pub const SIZES: [u32; 3] = [22, 32, 48];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_face_draws_a_distinct_opaque_figure() {
        let drawn: Vec<Vec<u8>> = Face::ALL.iter().map(|f| pixmap(*f, 32)).collect();
        for (i, a) in drawn.iter().enumerate() {
            assert_eq!(a.len(), 32 * 32 * 4);
            let covered = a.chunks(4).filter(|p| p[0] > 128).count();
            // Something to see, and not a filled square.
            assert!(
                covered > 40 && covered < 32 * 32 / 2,
                "{:?}: {covered}",
                Face::ALL[i]
            );
            for b in &drawn[i + 1..] {
                assert_ne!(a, b);
            }
        }
        // Upright's head is above the shoulders' middle; hunched's is forward of it.
        let head_column = |px: &[u8]| {
            let row = 9 * 32;
            let xs: Vec<usize> = (0..32).filter(|x| px[(row + x) * 4] > 128).collect();
            xs.iter().sum::<usize>() as f32 / xs.len().max(1) as f32
        };
        assert!((head_column(&drawn[0]) - 15.5).abs() < 1.5);
        let hunched = pixmap(Face::Hunched, 32);
        let row = 15 * 32;
        let xs: Vec<usize> = (0..32).filter(|x| hunched[(row + x) * 4] > 128).collect();
        assert!(
            xs.iter().sum::<usize>() as f32 / xs.len() as f32 > 19.0,
            "{xs:?}"
        );
    }
}
