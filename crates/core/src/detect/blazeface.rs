//! BlazeFace face detection: one model run over a square ROI, decoded against the model's
//! SSD anchors into boxes and six keypoints in image pixels.

use image::RgbImage;

use crate::detect::anchors::anchor_centers;
use crate::error::Result;
use crate::geometry::{BoundingBox, Point, SquareRoi};
use crate::runtime::{output_of_len, run_single_input, ModelPool};
use crate::tensor::{roi_to_tensor, Border, TensorSpec};

/// A face found by the detector. Keypoints, in MediaPipe's order: right eye, left eye
/// (the subject's), nose tip, mouth centre, right ear tragion, left ear tragion.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Detection {
    pub bbox: BoundingBox,
    pub score: f32,
    pub keypoints: [Point; 6],
    /// The detector gave no ears (MTCNN): the engine takes them from the face's mesh.
    pub ears_from_mesh: bool,
}

impl Detection {
    /// The same detection in an image scaled by `factor`.
    pub fn scaled(&self, factor: f32) -> Detection {
        let b = self.bbox;
        Detection {
            bbox: BoundingBox { x: b.x * factor, y: b.y * factor, width: b.width * factor, height: b.height * factor },
            score: self.score,
            keypoints: self.keypoints.map(|k| Point { x: k.x * factor, y: k.y * factor }),
            ears_from_mesh: self.ears_from_mesh,
        }
    }
}

/// The fixed facts of one BlazeFace variant.
pub struct BlazeFaceSpec {
    pub name: &'static str,
    pub input_size: u32,
    /// (stride, anchors per cell) per merged anchor layer.
    pub anchor_layers: &'static [(u32, u32)],
}

pub const SHORT_RANGE: BlazeFaceSpec =
    BlazeFaceSpec { name: "face_detection_short_range", input_size: 128, anchor_layers: &[(8, 2), (16, 6)] };

pub const FULL_RANGE: BlazeFaceSpec =
    BlazeFaceSpec { name: "face_detection_full_range", input_size: 192, anchor_layers: &[(4, 1)] };

const VALUES_PER_ANCHOR: usize = 16;
/// MediaPipe clips raw scores before the sigmoid.
const SCORE_CLIP: f32 = 100.0;

pub struct BlazeFace {
    pool: ModelPool,
    input: TensorSpec,
    anchors: Vec<(f32, f32)>,
}

impl BlazeFace {
    pub fn new(spec: &BlazeFaceSpec, pool: ModelPool) -> Self {
        Self {
            pool,
            input: TensorSpec { size: spec.input_size, low: -1.0, high: 1.0, border: Border::Zero },
            anchors: anchor_centers(spec.input_size, spec.anchor_layers),
        }
    }

    pub fn input_size(&self) -> u32 {
        self.input.size
    }

    /// How `detect` turns a region into the model's input.
    pub fn input_spec(&self) -> TensorSpec {
        self.input
    }

    /// Every anchor scoring at least `min_score` inside `roi`, before suppression.
    pub fn detect(&self, image: &RgbImage, roi: &SquareRoi, min_score: f32) -> Result<Vec<Detection>> {
        let size = self.input.size as usize;
        let tensor = roi_to_tensor(image, roi, &self.input);
        let n = self.anchors.len();
        let (boxes, scores) = self.pool.with_session(|session| {
            let mut outputs = run_single_input(session, &tensor, [1, size, size, 3])?;
            let boxes = output_of_len(&mut outputs, n * VALUES_PER_ANCHOR, "box regressor")?;
            let scores = output_of_len(&mut outputs, n, "score")?;
            Ok((boxes, scores))
        })?;
        let scale = 1.0 / size as f32;
        let detections = self
            .anchors
            .iter()
            .zip(scores.iter())
            .zip(boxes.chunks_exact(VALUES_PER_ANCHOR))
            .filter_map(|((&(ax, ay), &logit), raw)| {
                let score = sigmoid(logit.clamp(-SCORE_CLIP, SCORE_CLIP));
                if score < min_score {
                    return None;
                }
                // Offsets are in input pixels relative to the anchor centre.
                let cx = ax + raw[0] * scale;
                let cy = ay + raw[1] * scale;
                let w = raw[2] * scale * roi.side;
                let h = raw[3] * scale * roi.side;
                let center = roi.to_image(cx, cy);
                let mut keypoints = [Point::default(); 6];
                for (k, point) in keypoints.iter_mut().enumerate() {
                    *point = roi.to_image(ax + raw[4 + 2 * k] * scale, ay + raw[5 + 2 * k] * scale);
                }
                Some(Detection {
                    bbox: BoundingBox { x: center.x - w / 2.0, y: center.y - h / 2.0, width: w, height: h },
                    score,
                    keypoints,
                    ears_from_mesh: false,
                })
            })
            .collect();
        Ok(detections)
    }
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}
