//! The 468-point face mesh: MediaPipe's rotated crop around a detection, the landmark
//! model, and the projection of its points back into image pixels.

use std::f32::consts::PI;

use image::RgbImage;

use crate::detect::blazeface::Detection;
use crate::error::Result;
use crate::geometry::{Point, SquareRoi};
use crate::runtime::{output_of_len, run_single_input, ModelPool};
use crate::tensor::{roi_to_tensor, Border, TensorSpec};

pub const LANDMARK_COUNT: usize = 468;
const INPUT_SIZE: u32 = 192;
/// MediaPipe's face_detection_front_detection_to_roi scales the square box by 1.5.
const ROI_SCALE: f32 = 1.5;

/// Landmarks in image pixels; z is in the same pixel units as x, smaller is nearer the camera.
#[derive(Debug, Clone, PartialEq)]
pub struct Mesh {
    pub points: Vec<[f32; 3]>,
    /// Probability that the crop holds a face.
    pub presence: f32,
    pub roi: SquareRoi,
}

/// The crop MediaPipe feeds the landmark model: a square 1.5× the box's longer side,
/// rotated so that the eyes lie level.
pub fn roi_from_detection(detection: &Detection) -> SquareRoi {
    let Point { x: cx, y: cy } = detection.bbox.center();
    let right_eye = detection.keypoints[0];
    let left_eye = detection.keypoints[1];
    let rotation = normalize_radians((left_eye.y - right_eye.y).atan2(left_eye.x - right_eye.x));
    SquareRoi {
        center: Point { x: cx, y: cy },
        side: detection.bbox.width.max(detection.bbox.height) * ROI_SCALE,
        rotation,
    }
}

fn normalize_radians(angle: f32) -> f32 {
    angle - 2.0 * PI * ((angle + PI) / (2.0 * PI)).floor()
}

pub struct FaceMesh {
    pool: ModelPool,
    input: TensorSpec,
}

impl FaceMesh {
    pub fn new(pool: ModelPool) -> Self {
        Self { pool, input: TensorSpec { size: INPUT_SIZE, low: 0.0, high: 1.0, border: Border::Replicate } }
    }

    /// How `run` turns the face's region into the model's input.
    pub fn input_spec(&self) -> TensorSpec {
        self.input
    }

    pub fn run(&self, image: &RgbImage, roi: &SquareRoi) -> Result<Mesh> {
        let size = INPUT_SIZE as usize;
        let tensor = roi_to_tensor(image, roi, &self.input);
        let (raw, presence_logit) = self.pool.with_session(|session| {
            let mut outputs = run_single_input(session, &tensor, [1, size, size, 3])?;
            let raw = output_of_len(&mut outputs, LANDMARK_COUNT * 3, "landmark")?;
            let presence = output_of_len(&mut outputs, 1, "face presence")?;
            Ok((raw, presence[0]))
        })?;
        let scale = 1.0 / INPUT_SIZE as f32;
        let to_image = roi.mapping();
        let points = raw
            .chunks_exact(3)
            .map(|p| {
                let Point { x, y } = to_image(p[0] * scale, p[1] * scale);
                [x, y, p[2] * scale * roi.side]
            })
            .collect();
        Ok(Mesh { points, presence: 1.0 / (1.0 + (-presence_logit).exp()), roi: *roi })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::BoundingBox;

    #[test]
    fn roi_is_square_scaled_and_levels_the_eyes() {
        let mut keypoints = [Point::default(); 6];
        keypoints[0] = Point { x: 40.0, y: 50.0 };
        keypoints[1] = Point { x: 60.0, y: 70.0 };
        let detection = Detection {
            bbox: BoundingBox { x: 20.0, y: 30.0, width: 60.0, height: 40.0 },
            score: 0.9,
            keypoints,
            ears_from_mesh: false,
        };
        let roi = roi_from_detection(&detection);
        assert_eq!(roi.center, Point { x: 50.0, y: 50.0 });
        assert!((roi.side - 90.0).abs() < 1e-4);
        assert!((roi.rotation - PI / 4.0).abs() < 1e-5);
        // The crop's x axis runs along the eye line.
        let a = roi.to_image(0.25, 0.5);
        let b = roi.to_image(0.75, 0.5);
        assert!(((b.y - a.y) / (b.x - a.x) - 1.0).abs() < 1e-4);
    }
}
