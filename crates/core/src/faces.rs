//! Where the detectors look. The short-range model sees the whole image letterboxed, as
//! MediaPipe's FaceMesh does; two more passes catch what that misses: a padded view for
//! tight crops where the face fills the frame, and the full-range model for small faces.

use image::RgbImage;

use crate::detection::{BlazeFace, Detection};
use crate::error::Result;
use crate::geometry::SquareRoi;
use crate::nms::weighted_nms;

/// MediaPipe's suppression threshold (intersection over union).
const NMS_IOU: f32 = 0.3;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DetectionConfig {
    /// Minimum detector score (MediaPipe's and the seed's default: 0.5).
    pub min_score: f32,
    /// The padded view's side, relative to the image's longer side.
    pub crop_padding: f32,
    /// Run the full-range detector to find faces too small for the short-range one.
    pub small_faces: bool,
}

impl Default for DetectionConfig {
    fn default() -> Self {
        Self { min_score: 0.5, crop_padding: 1.6, small_faces: true }
    }
}

pub struct FaceFinder {
    pub short_range: BlazeFace,
    pub full_range: BlazeFace,
}

impl FaceFinder {
    /// Detections in image pixels, best first.
    pub fn find(&self, image: &RgbImage, config: &DetectionConfig) -> Result<Vec<Detection>> {
        let (width, height) = image.dimensions();
        let whole = SquareRoi::letterbox(width, height);
        let mut faces = weighted_nms(self.short_range.detect(image, &whole, config.min_score)?, NMS_IOU);

        if faces.is_empty() {
            let padded = SquareRoi { side: whole.side * config.crop_padding, ..whole };
            faces = weighted_nms(self.short_range.detect(image, &padded, config.min_score)?, NMS_IOU);
        }

        if config.small_faces {
            let small = weighted_nms(self.full_range.detect(image, &whole, config.min_score)?, NMS_IOU);
            add_unseen(&mut faces, small);
        }
        faces.sort_by(|a, b| b.score.total_cmp(&a.score));
        Ok(faces)
    }
}

/// Adds the detections that overlap none already found; the first finder's boxes win
/// because they are the ones MediaPipe's pipeline would have produced.
fn add_unseen(found: &mut Vec<Detection>, more: Vec<Detection>) {
    for candidate in more {
        if found.iter().all(|f| f.bbox.iou(&candidate.bbox) <= NMS_IOU) {
            found.push(candidate);
        }
    }
}
