//! A face as JavaScript receives it. One plain conversion from `emotion_core::Face`, so a
//! field the core gains (e.g. emotions) is one field and one line here.

use emotion_core::{BoundingBox, Emotion, Face, Point};
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

#[napi(object)]
pub struct JsEmotion {
    pub label: String,
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
    pub emotions: Vec<JsEmotion>,
    /// The most likely emotion's label.
    pub emotion: String,
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

impl From<Emotion> for JsEmotion {
    fn from(e: Emotion) -> Self {
        Self { label: e.label.to_string(), probability: e.probability.into() }
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
            emotion: face.emotion().to_string(),
            emotions: face.emotions.into_iter().map(JsEmotion::from).collect(),
        }
    }
}
