//! SSD anchors for the BlazePose detector, as MediaPipe's `SsdAnchorsCalculator` builds them
//! from `pose_detection_cpu.pbtxt`: 5 layers, strides 8/16/32/32/32, two anchors per layer
//! (aspect 1.0 plus the interpolated scale), fixed size 1×1, centres at cell middles.
//! Layers that share a stride share one grid, so the last three fold into 7×7×6.

/// An anchor centre in normalised input coordinates (all anchors are 1×1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Anchor {
    pub x: f32,
    pub y: f32,
}

pub const INPUT_SIZE: u32 = 224;
const STRIDES: [u32; 5] = [8, 16, 32, 32, 32];
const ANCHOR_OFFSET: f32 = 0.5;

/// The 2254 anchors in the detector's output order.
pub fn pose_anchors() -> Vec<Anchor> {
    let mut anchors = Vec::with_capacity(2254);
    let mut layer = 0;
    while layer < STRIDES.len() {
        let stride = STRIDES[layer];
        // Every layer with this stride adds two anchors per cell to the same grid.
        let mut per_cell = 0;
        while layer < STRIDES.len() && STRIDES[layer] == stride {
            per_cell += 2;
            layer += 1;
        }
        let size = INPUT_SIZE.div_ceil(stride);
        for y in 0..size {
            for x in 0..size {
                let a = Anchor {
                    x: (x as f32 + ANCHOR_OFFSET) / size as f32,
                    y: (y as f32 + ANCHOR_OFFSET) / size as f32,
                };
                anchors.extend(std::iter::repeat_n(a, per_cell));
            }
        }
    }
    anchors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchor_count_and_layout() {
        let a = pose_anchors();
        assert_eq!(a.len(), 28 * 28 * 2 + 14 * 14 * 2 + 7 * 7 * 6);
        assert_eq!(
            a[0],
            Anchor {
                x: 0.5 / 28.0,
                y: 0.5 / 28.0
            }
        );
        assert_eq!(a[1], a[0]);
        assert_eq!(a[2].x, 1.5 / 28.0);
        // First anchor of the stride-16 grid, then the last anchor (bottom-right 7×7 cell).
        assert_eq!(
            a[1568],
            Anchor {
                x: 0.5 / 14.0,
                y: 0.5 / 14.0
            }
        );
        assert_eq!(
            *a.last().unwrap(),
            Anchor {
                x: 6.5 / 7.0,
                y: 6.5 / 7.0
            }
        );
    }
}
