//! What the emotion classifier sees of a face, computed identically for training
//! (examples/dump_features.rs) and serving: the mesh normalised for position, roll and
//! scale, and a grey crop of the face aligned on the eyes.

use image::RgbImage;

use crate::geometry::{Point, SquareRoi};
use crate::tensor::{roi_to_tensor, Border, TensorSpec};

/// Outer corners of the right and left eye in MediaPipe's mesh.
const RIGHT_EYE_OUTER: usize = 33;
const LEFT_EYE_OUTER: usize = 263;
pub const CROP_SIZE: u32 = 64;
/// The crop's side relative to the mesh's extent, so that the whole face and a little
/// context are in view.
const CROP_MARGIN: f32 = 1.1;

/// Landmarks rotated so the eyes are level, centred between the eyes and scaled so the
/// eye corners are one unit apart; 468 × (x, y, z), flattened.
pub fn normalized_geometry(landmarks: &[[f32; 3]]) -> Vec<f32> {
    let frame = EyeFrame::new(landmarks);
    landmarks
        .iter()
        .flat_map(|p| {
            let (x, y) = frame.to_local(p[0], p[1]);
            [x, y, p[2] / frame.eye_distance]
        })
        .collect()
}

/// A `CROP_SIZE²` grey crop in 0..1, upright and centred on the mesh.
pub fn aligned_crop(image: &RgbImage, landmarks: &[[f32; 3]]) -> Vec<f32> {
    let frame = EyeFrame::new(landmarks);
    let (mut min_x, mut min_y, mut max_x, mut max_y) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    for p in landmarks {
        let (x, y) = frame.to_local(p[0], p[1]);
        min_x = min_x.min(x);
        min_y = min_y.min(y);
        max_x = max_x.max(x);
        max_y = max_y.max(y);
    }
    let center = frame.to_image((min_x + max_x) / 2.0, (min_y + max_y) / 2.0);
    let side = (max_x - min_x).max(max_y - min_y) * frame.eye_distance * CROP_MARGIN;
    let roi = SquareRoi { center, side, rotation: frame.rotation };
    let spec = TensorSpec { size: CROP_SIZE, low: 0.0, high: 1.0, border: Border::Replicate };
    roi_to_tensor(image, &roi, &spec).chunks_exact(3).map(|c| 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]).collect()
}

/// Coordinates centred between the outer eye corners, x along the eye line, in units of
/// the distance between them.
struct EyeFrame {
    origin: Point,
    rotation: f32,
    eye_distance: f32,
}

impl EyeFrame {
    fn new(landmarks: &[[f32; 3]]) -> Self {
        let right = landmarks[RIGHT_EYE_OUTER];
        let left = landmarks[LEFT_EYE_OUTER];
        let (dx, dy) = (left[0] - right[0], left[1] - right[1]);
        Self {
            origin: Point { x: (left[0] + right[0]) / 2.0, y: (left[1] + right[1]) / 2.0 },
            rotation: dy.atan2(dx),
            eye_distance: dx.hypot(dy).max(1e-3),
        }
    }

    fn to_local(&self, x: f32, y: f32) -> (f32, f32) {
        let (sin, cos) = self.rotation.sin_cos();
        let (dx, dy) = (x - self.origin.x, y - self.origin.y);
        ((cos * dx + sin * dy) / self.eye_distance, (-sin * dx + cos * dy) / self.eye_distance)
    }

    fn to_image(&self, x: f32, y: f32) -> Point {
        let (sin, cos) = self.rotation.sin_cos();
        let (x, y) = (x * self.eye_distance, y * self.eye_distance);
        Point { x: self.origin.x + cos * x - sin * y, y: self.origin.y + sin * x + cos * y }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geometry_is_invariant_to_shift_roll_and_scale() {
        let mut mesh = vec![[0.0f32; 3]; 468];
        for (i, p) in mesh.iter_mut().enumerate() {
            *p = [(i % 20) as f32 * 3.0, (i / 20) as f32 * 2.0, i as f32 * 0.1];
        }
        mesh[RIGHT_EYE_OUTER] = [10.0, 20.0, 0.0];
        mesh[LEFT_EYE_OUTER] = [50.0, 20.0, 0.0];
        let (sin, cos) = 0.3f32.sin_cos();
        let moved: Vec<[f32; 3]> = mesh
            .iter()
            .map(|p| [100.0 + 2.0 * (cos * p[0] - sin * p[1]), 50.0 + 2.0 * (sin * p[0] + cos * p[1]), 2.0 * p[2]])
            .collect();
        let a = normalized_geometry(&mesh);
        let b = normalized_geometry(&moved);
        assert!(a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 1e-3));
        assert_eq!(&a[RIGHT_EYE_OUTER * 3..RIGHT_EYE_OUTER * 3 + 2], &[-0.5, 0.0]);
    }
}
