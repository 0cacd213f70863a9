//! `analyzeAnnotated`: the faces, and the image with them drawn on it by the core.

use emotion_core::{AnnotateFormat, AnnotateOptions, BoundingBox, Emotion, Error, Mark, Result};
use napi::bindgen_prelude::{Buffer, Float32Array};
use napi_derive::napi;

use crate::face::{EmotionLabel, JsBox, JsFace};

#[napi(object)]
#[derive(Default)]
pub struct JsAnnotateOptions {
    /// Also draw the 468 landmarks.
    pub mesh: Option<bool>,
    /// "png" (default) or "jpeg".
    pub format: Option<String>,
}

#[napi(object, js_name = "NativeAnnotated")]
pub struct JsAnnotated {
    #[napi(ts_type = "NativeFace[]")]
    pub faces: Vec<JsFace>,
    /// The encoded image (PNG or JPEG) with boxes, labels and optionally the mesh drawn.
    pub image: Buffer,
}

/// A box to draw with its own text (`annotate`): e.g. a tracked face's id and smoothed emotion.
#[napi(object, js_name = "NativeMark")]
pub struct JsMark {
    #[napi(js_name = "box")]
    pub bbox: JsBox,
    /// Its colour's emotion.
    pub emotion: EmotionLabel,
    pub text: String,
    /// The face's landmarks, `[x, y, z]` flattened, to draw as the mesh.
    pub landmarks: Option<Float32Array>,
}

impl From<JsMark> for Mark {
    #[allow(clippy::cast_possible_truncation)] // pixel coordinates fit an f32
    fn from(mark: JsMark) -> Self {
        let b = mark.bbox;
        let bbox = BoundingBox { x: b.x as f32, y: b.y as f32, width: b.width as f32, height: b.height as f32 };
        let landmarks = mark.landmarks.map_or_else(Vec::new, |points| {
            points.chunks_exact(3).map(|point| [point[0], point[1], point[2]]).collect()
        });
        Self { bbox, emotion: Emotion::from(mark.emotion), text: mark.text, landmarks }
    }
}

pub fn to_format(format: Option<&str>) -> Result<AnnotateFormat> {
    match format {
        None | Some("png") => Ok(AnnotateFormat::Png),
        Some("jpeg") => Ok(AnnotateFormat::Jpeg),
        Some(other) => Err(Error::InvalidOptions(format!("format must be \"png\" or \"jpeg\", got {other:?}"))),
    }
}

pub fn to_options(options: Option<JsAnnotateOptions>) -> Result<AnnotateOptions> {
    let options = options.unwrap_or_default();
    Ok(AnnotateOptions { mesh: options.mesh.unwrap_or(false), format: to_format(options.format.as_deref())? })
}
