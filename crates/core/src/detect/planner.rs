//! Where the detectors look. The short-range model sees the whole image letterboxed, as
//! MediaPipe's FaceMesh does; two more passes catch what that misses: a padded view for
//! tight crops where the face fills the frame, and a small-face pass (the full-range model
//! over tiles, or MTCNN's cascade).

use image::RgbImage;

use crate::cancel::checkpoint;
use crate::detect::blazeface::{BlazeFace, Detection};
use crate::detect::mtcnn::Mtcnn;
use crate::detect::nms::weighted_nms;
use crate::error::Result;
use crate::geometry::SquareRoi;
use crate::resize::resized;

/// MediaPipe's suppression threshold (intersection over union).
const NMS_IOU: f32 = 0.3;

/// MediaPipe's full-range graph keeps detections scoring at least this.
const FULL_RANGE_MIN_SCORE: f32 = 0.6;
/// Width in model-input pixels from which the full-range model finds most faces
/// (measured with `examples/small_faces.rs`).
const FULL_RANGE_RELIABLE_FACE: f32 = 20.0;
/// An image up to this many times the model's input is scanned whole rather than tiled.
const WHOLE_SCAN_SLACK: f32 = 1.5;
/// MTCNN's last-stage score kept: on the group scenes (min face 28) 0.9 kept 96.8 % of the
/// faces from 32 px and gave no face on the no-face photos, where 0.7 gave two (bench/RESULTS.md).
const MTCNN_MIN_SCORE: f32 = 0.9;

/// Which model looks for the faces too small for the short-range one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SmallFaceDetector {
    /// MediaPipe's full-range BlazeFace over tiles: cheap, but misses most tightly framed faces
    /// under ~64 px (a quarter of them at 48 px in composed group scenes).
    #[default]
    FullRange,
    /// MTCNN's three-net cascade over an image pyramid: finds nearly all such faces from 28 px
    /// (with `min_face_size` 28), at a multiple of an analysis's time (bench/RESULTS.md has both
    /// figures).
    Mtcnn,
}

#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct DetectionConfig {
    /// Minimum detector score (MediaPipe's and the seed's default: 0.5).
    pub min_score: f32,
    /// The padded view's side, relative to the image's longer side.
    pub crop_padding: f32,
    /// Width in pixels of the smallest face the full-range pass should find; 0 skips that pass.
    pub min_face_size: u32,
    /// Most full-range runs (tiles) the small-face pass may make on one image. A larger image is
    /// scanned at a smaller scale instead, so its smallest faces found grow past `min_face_size`:
    /// this bounds the work any image's shape can cause.
    pub max_small_face_tiles: usize,
    /// The small-face pass's model.
    pub small_face_detector: SmallFaceDetector,
}

impl Default for DetectionConfig {
    fn default() -> Self {
        // 24 tiles cover a 1920×1080 frame at the full small-face scale (18 tiles); a 12 MP photo
        // is scanned at a fifth of its size (faces from ~100 px), a blank 16 MP image or a
        // 16000×1 strip cost 24 runs, not 144 or 46 (bench/RESULTS.md, "worst inputs").
        Self {
            min_score: 0.5,
            crop_padding: 1.6,
            min_face_size: 48,
            max_small_face_tiles: 24,
            small_face_detector: SmallFaceDetector::FullRange,
        }
    }
}

pub struct FaceFinder {
    pub short_range: BlazeFace,
    pub full_range: BlazeFace,
    /// Loaded only for engines configured to use it.
    pub mtcnn: Option<Mtcnn>,
}

impl FaceFinder {
    /// Detections in image pixels, best first. With `largest_only`, the small-face pass runs
    /// only when the others found nothing, since its faces are smaller than theirs.
    pub fn find(&self, image: &RgbImage, config: &DetectionConfig, largest_only: bool) -> Result<Vec<Detection>> {
        let (width, height) = image.dimensions();
        let whole = SquareRoi::letterbox(width, height);
        let mut faces = weighted_nms(self.short_range.detect(image, &whole, config.min_score)?, NMS_IOU);

        if faces.is_empty() {
            checkpoint()?;
            let padded = SquareRoi { side: whole.side * config.crop_padding, ..whole };
            faces = weighted_nms(self.short_range.detect(image, &padded, config.min_score)?, NMS_IOU);
        }

        if config.min_face_size > 0 && (faces.is_empty() || !largest_only) {
            checkpoint()?;
            add_unseen(&mut faces, self.find_small(image, config)?);
        }
        faces.sort_by(|a, b| b.score.total_cmp(&a.score));
        Ok(faces)
    }

    /// The full-range model over an antialiased downscale of the image in which the smallest
    /// wanted face is wide enough for it, tiled when that is larger than the model's input.
    fn find_small(&self, image: &RgbImage, config: &DetectionConfig) -> Result<Vec<Detection>> {
        // A strip narrower than the smallest wanted face holds none: skip the pass rather than
        // tile a 16000×1 image.
        if image.width().min(image.height()) < config.min_face_size {
            return Ok(Vec::new());
        }
        if let (SmallFaceDetector::Mtcnn, Some(mtcnn)) = (config.small_face_detector, &self.mtcnn) {
            return mtcnn.detect(image, config.min_face_size, config.min_score.max(MTCNN_MIN_SCORE));
        }
        let (scale, rois) = small_face_plan(image.dimensions(), self.full_range.input_size(), config);
        let scaled = downscale(image, scale);
        let min_score = config.min_score.max(FULL_RANGE_MIN_SCORE);
        let mut found = Vec::new();
        for roi in rois {
            checkpoint()?;
            found.extend(self.full_range.detect(&scaled, &roi, min_score)?);
        }
        let to_original = 1.0 / scale;
        Ok(weighted_nms(found, NMS_IOU).into_iter().map(|d| d.scaled(to_original)).collect())
    }
}

/// The scale of the small-face pass and its views of the scaled image: the scale at which the
/// smallest wanted face is `FULL_RANGE_RELIABLE_FACE` wide, lowered until the views number at
/// most `max_small_face_tiles`.
fn small_face_plan(size: (u32, u32), input: u32, config: &DetectionConfig) -> (f32, Vec<SquareRoi>) {
    let whole_scan_limit = (input as f32 * WHOLE_SCAN_SLACK) as u32;
    let mut scale = (FULL_RANGE_RELIABLE_FACE / config.min_face_size.max(1) as f32).min(1.0);
    loop {
        let (width, height) = scaled_size(size, scale);
        if width <= whole_scan_limit && height <= whole_scan_limit {
            return (scale, vec![SquareRoi::letterbox(width, height)]);
        }
        let rois = tiles(width, height, input);
        if rois.len() <= config.max_small_face_tiles.max(1) {
            return (scale, rois);
        }
        scale *= 0.9;
    }
}

fn scaled_size((width, height): (u32, u32), scale: f32) -> (u32, u32) {
    (((width as f32 * scale).round() as u32).max(1), ((height as f32 * scale).round() as u32).max(1))
}

fn downscale(image: &RgbImage, scale: f32) -> RgbImage {
    let (width, height) = scaled_size(image.dimensions(), scale);
    if width >= image.width() || height >= image.height() {
        return image.clone();
    }
    resized(image, width, height).unwrap_or_else(|| image.clone())
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

/// Square tiles of side `side` covering the image, overlapping by a quarter so that a face
/// smaller than that lies whole inside at least one of them.
fn tiles(width: u32, height: u32, side: u32) -> Vec<SquareRoi> {
    let starts = |length: u32| -> Vec<u32> {
        if length <= side {
            return vec![0];
        }
        let stride = side - side / 4;
        let count = (length - side).div_ceil(stride) + 1;
        // Spread the tiles evenly so the last one ends at the image's edge.
        (0..count).map(|i| (u64::from(length - side) * u64::from(i) / u64::from(count - 1)) as u32).collect()
    };
    let half = side as f32 / 2.0;
    let mut rois = Vec::new();
    for y in starts(height) {
        for x in starts(width) {
            rois.push(SquareRoi::centered(x as f32 + half, y as f32 + half, side as f32));
        }
    }
    rois
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_cover_the_image_with_overlap() {
        let rois = tiles(1280, 720, 400);
        assert_eq!(rois.len(), 4 * 3);
        assert_eq!(rois[0].center.x, 200.0);
        assert_eq!(rois.last().map(|r| r.center.x + 200.0), Some(1280.0));
        assert_eq!(rois.last().map(|r| r.center.y + 200.0), Some(720.0));
    }

    #[test]
    fn the_small_face_pass_keeps_its_scale_up_to_full_hd() {
        let config = DetectionConfig::default();
        let full_scale = FULL_RANGE_RELIABLE_FACE / config.min_face_size as f32;
        for size in [(640, 480), (1280, 720), (1920, 1080), (1080, 1920)] {
            let (scale, rois) = small_face_plan(size, 192, &config);
            assert_eq!(scale, full_scale, "{size:?}");
            assert!(rois.len() <= config.max_small_face_tiles, "{size:?}: {} tiles", rois.len());
        }
    }

    #[test]
    fn no_shape_makes_more_tiles_than_the_budget() {
        let config = DetectionConfig::default();
        for size in [(4096, 4096), (16000, 48), (48, 16000), (16000, 1000), (5000, 3000), (40000, 1000)] {
            let (scale, rois) = small_face_plan(size, 192, &config);
            assert!(rois.len() <= config.max_small_face_tiles, "{size:?}: {} tiles", rois.len());
            assert!(scale > 0.0 && scale < FULL_RANGE_RELIABLE_FACE / config.min_face_size as f32, "{size:?}");
        }
    }
}
