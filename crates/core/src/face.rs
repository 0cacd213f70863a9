//! A face as the engine reports it: a leaf module, so that drawing faces (annotate) and finding
//! them (engine) both depend on it rather than on each other.

use crate::emotion::{Emotion, EmotionScore};
use crate::geometry::{BoundingBox, Point};

#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Face {
    /// The detector's box, in image pixels.
    pub bbox: BoundingBox,
    /// The detector's confidence, 0..1.
    pub score: f32,
    /// The detector's six keypoints (eyes, nose tip, mouth, ears).
    pub keypoints: [Point; 6],
    /// 468 points (x, y, z) in image pixels, in MediaPipe's mesh order.
    pub landmarks: Vec<[f32; 3]>,
    /// The landmark model's confidence that this is a face, 0..1.
    pub presence: f32,
    /// Every emotion the classifier knows, most likely first; probabilities sum to 1.
    pub emotions: Vec<EmotionScore>,
}

impl Face {
    /// The most likely emotion.
    pub fn emotion(&self) -> Emotion {
        self.emotions.first().map_or(Emotion::Neutral, |e| e.label)
    }
}
