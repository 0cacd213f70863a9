//! SSD anchor centres for the BlazeFace detectors, generated the way MediaPipe's
//! SsdAnchorsCalculator does for `fixed_anchor_size: true` (every anchor is 1×1, so only
//! the centres matter).

/// Layers sharing a stride are merged into one grid; each entry is (stride, anchors per cell).
pub fn anchor_centers(input_size: u32, strides: &[(u32, u32)]) -> Vec<(f32, f32)> {
    let mut centers = Vec::new();
    for &(stride, per_cell) in strides {
        let grid = input_size.div_ceil(stride);
        for row in 0..grid {
            for col in 0..grid {
                let x = (col as f32 + 0.5) / grid as f32;
                let y = (row as f32 + 0.5) / grid as f32;
                centers.extend(std::iter::repeat_n((x, y), per_cell as usize));
            }
        }
    }
    centers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_range_layout_has_896_anchors() {
        let a = anchor_centers(128, &[(8, 2), (16, 6)]);
        assert_eq!(a.len(), 896);
        assert_eq!(a[0], (0.5 / 16.0, 0.5 / 16.0));
        assert_eq!(a[1], a[0]);
        assert_eq!(a[512], (0.5 / 8.0, 0.5 / 8.0));
    }

    #[test]
    fn full_range_layout_has_2304_anchors() {
        let a = anchor_centers(192, &[(4, 1)]);
        assert_eq!(a.len(), 2304);
        assert_eq!(a[2303], (47.5 / 48.0, 47.5 / 48.0));
    }
}
