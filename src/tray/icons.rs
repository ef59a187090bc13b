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

    /// Where the head is (unit square, y down): further forward and lower as the neck
    /// bends — far enough that the three postures differ in shape at panel size (16 px),
    /// not only in colour, for people who cannot tell green from amber.
    fn head(self) -> (f32, f32) {
        match self {
            Face::Hunching => (0.68, 0.36),
            Face::Hunched => (0.80, 0.50),
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
        // An exclamation mark, top left: hunched asks for attention in shape too.
        Face::Hunched => {
            capsule(p, (0.16, 0.08), (0.16, 0.34), 0.06).min(circle(p, (0.16, 0.47), 0.065))
        }
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

/// A badge's dark fill and light rim: one of them shows on any panel, dark or light.
const BADGE_FILL: [u8; 3] = [0x40, 0x40, 0x40];
const BADGE_RIM: [u8; 3] = [0xf2, 0xf2, 0xf2];

/// The icon for `face`, `size`×`size` pixels, ARGB32 in network byte order.
pub fn pixmap(face: Face, size: u32) -> Vec<u8> {
    let n = size.max(1) as f32;
    // The rim: at least a pixel and a half wide, whatever the size.
    let rim = (1.5 / n).max(0.04);
    let mut out = Vec::with_capacity((size * size * 4) as usize);
    for y in 0..size {
        for x in 0..size {
            let p = ((x as f32 + 0.5) / n, (y as f32 + 0.5) / n);
            let (d, is_badge) = figure(face, p);
            // The badge grows by its rim; the rim is what lies outside the bare badge.
            let (d, [r, g, b]) = match (is_badge, face) {
                // Hunched's mark is the figure's own red, rimmed.
                (true, Face::Hunched) if d < 0.0 => (d, face.colour()),
                (true, _) if d < 0.0 => (d, BADGE_FILL),
                (true, _) => (d - rim, BADGE_RIM),
                (false, _) => (d, face.colour()),
            };
            // Anti-aliased edge: coverage of the pixel by the shape, from its distance.
            let a = (0.5 - d * n).clamp(0.0, 1.0);
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
        // Right of the exclamation mark.
        let xs: Vec<usize> = (10..32).filter(|x| hunched[(row + x) * 4] > 128).collect();
        assert!(
            xs.iter().sum::<usize>() as f32 / xs.len() as f32 > 19.0,
            "{xs:?}"
        );
    }

    /// What a person who cannot tell the colours apart sees: the shape alone.
    fn mask(face: Face, size: u32) -> Vec<bool> {
        pixmap(face, size).chunks(4).map(|p| p[0] > 128).collect()
    }

    #[test]
    fn the_postures_differ_in_shape_at_panel_size_not_only_in_colour() {
        for size in [16, 22] {
            let [up, hunching, hunched] =
                [Face::Upright, Face::Hunching, Face::Hunched].map(|f| mask(f, size));
            let differ = |a: &[bool], b: &[bool]| a.iter().zip(b).filter(|(x, y)| x != y).count();
            // An eighth of the icon's pixels between each pair. (The earlier heads, 2 px
            // apart at 16 px, differed by 22 pixels of 256 between upright and hunching;
            // these by 37.)
            let least = (size * size / 8) as usize;
            for (what, a, b) in [
                ("upright/hunching", &up, &hunching),
                ("hunching/hunched", &hunching, &hunched),
                ("upright/hunched", &up, &hunched),
            ] {
                let d = differ(a, b);
                assert!(
                    d >= least,
                    "{size} px, {what}: {d} pixels differ (< {least})"
                );
            }
        }
    }

    #[test]
    fn badges_show_on_dark_and_light_panels() {
        for face in [Face::Paused, Face::CameraInUse, Face::Hunched] {
            let px = pixmap(face, 22);
            let luma = |p: &[u8]| (p[1] as u32 * 3 + p[2] as u32 * 6 + p[3] as u32) / 10;
            // The badge's corner (top left): opaque light pixels (seen on a dark panel)
            // around opaque dark or coloured ones (seen on a light panel).
            let corner: Vec<&[u8]> = (0..11)
                .flat_map(|y| (0..8).map(move |x| (y * 22 + x) * 4))
                .map(|i| &px[i..i + 4])
                .filter(|p| p[0] > 200)
                .collect();
            assert!(
                corner.iter().any(|p| luma(p) > 200),
                "{face:?}: no light rim"
            );
            assert!(
                corner.iter().any(|p| luma(p) < 140),
                "{face:?}: no dark fill"
            );
        }
    }
}
