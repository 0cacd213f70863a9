//! `analyzeAnnotated`: the faces, and the image with them drawn on it by the core.

use emotion_core::{AnnotateFormat, AnnotateOptions, Error, Result};
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;

use crate::face::JsFace;

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

pub fn to_options(options: Option<JsAnnotateOptions>) -> Result<AnnotateOptions> {
    let options = options.unwrap_or_default();
    let format = match options.format.as_deref() {
        None | Some("png") => AnnotateFormat::Png,
        Some("jpeg") => AnnotateFormat::Jpeg,
        Some(other) => return Err(Error::InvalidOptions(format!("format must be \"png\" or \"jpeg\", got {other:?}"))),
    };
    Ok(AnnotateOptions { mesh: options.mesh.unwrap_or(false), format })
}
