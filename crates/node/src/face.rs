//! A face as JavaScript receives it. One plain conversion from `emotion_core::Face`, so a
//! field the core gains (e.g. emotions) is one field and one line here.

use emotion_core::{BoundingBox, Emotion, EmotionScore, Face, Point};
use napi::bindgen_prelude::Float32Array;
use napi_derive::napi;

#[napi(object)]
pub struct JsBox {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

#[napi(object)]
pub struct JsPoint {
    pub x: f64,
    pub y: f64,
}

/// The core's `Emotion`, as a string union in TypeScript.
#[napi(string_enum = "lowercase")]
pub enum EmotionLabel {
    Angry,
    Disgust,
    Fear,
    Happy,
    Neutral,
    Sad,
    Surprise,
}

#[napi(object, js_name = "EmotionScore")]
pub struct JsEmotionScore {
    pub label: EmotionLabel,
    pub probability: f64,
}

#[napi(object, js_name = "NativeFace")]
pub struct JsFace {
    /// The detector's box in image pixels.
    #[napi(js_name = "box")]
    pub bbox: JsBox,
    pub score: f64,
    pub presence: f64,
    /// Eyes, nose tip, mouth, ears.
    pub keypoints: Vec<JsPoint>,
    /// 468 × (x, y, z) in image pixels, flat: one typed array instead of 468 JS arrays.
    pub landmarks: Float32Array,
    /// All seven emotions, most likely first.
    pub emotions: Vec<JsEmotionScore>,
    /// The most likely emotion.
    pub emotion: EmotionLabel,
}

impl From<BoundingBox> for JsBox {
    fn from(b: BoundingBox) -> Self {
        Self { x: b.x.into(), y: b.y.into(), width: b.width.into(), height: b.height.into() }
    }
}

impl From<Point> for JsPoint {
    fn from(p: Point) -> Self {
        Self { x: p.x.into(), y: p.y.into() }
    }
}

// Both conversions are exhaustive matches, so a label the core gains fails to compile here.
impl From<Emotion> for EmotionLabel {
    fn from(emotion: Emotion) -> Self {
        match emotion {
            Emotion::Angry => EmotionLabel::Angry,
            Emotion::Disgust => EmotionLabel::Disgust,
            Emotion::Fear => EmotionLabel::Fear,
            Emotion::Happy => EmotionLabel::Happy,
            Emotion::Neutral => EmotionLabel::Neutral,
            Emotion::Sad => EmotionLabel::Sad,
            Emotion::Surprise => EmotionLabel::Surprise,
        }
    }
}

impl From<EmotionLabel> for Emotion {
    fn from(label: EmotionLabel) -> Self {
        match label {
            EmotionLabel::Angry => Emotion::Angry,
            EmotionLabel::Disgust => Emotion::Disgust,
            EmotionLabel::Fear => Emotion::Fear,
            EmotionLabel::Happy => Emotion::Happy,
            EmotionLabel::Neutral => Emotion::Neutral,
            EmotionLabel::Sad => Emotion::Sad,
            EmotionLabel::Surprise => Emotion::Surprise,
        }
    }
}

impl From<EmotionScore> for JsEmotionScore {
    fn from(score: EmotionScore) -> Self {
        Self { label: score.label.into(), probability: score.probability.into() }
    }
}

impl From<Face> for JsFace {
    fn from(face: Face) -> Self {
        let flat: Vec<f32> = face.landmarks.iter().flatten().copied().collect();
        Self {
            bbox: face.bbox.into(),
            score: face.score.into(),
            presence: face.presence.into(),
            keypoints: face.keypoints.into_iter().map(JsPoint::from).collect(),
            landmarks: Float32Array::new(flat),
            emotion: face.emotion().into(),
            emotions: face.emotions.into_iter().map(JsEmotionScore::from).collect(),
        }
    }
}
