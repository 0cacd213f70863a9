//! `analyzeAnnotated`: the faces, and the image with them drawn on it by the core.

use std::sync::Arc;

use emotion_core::{AnnotateFormat, AnnotateOptions, Engine, Face};
use napi::bindgen_prelude::{Buffer, Uint8Array};
use napi::{Env, Result, Task};
use napi_derive::napi;

use crate::errors::{coded, from_core, INVALID_OPTIONS};
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
        Some(other) => {
            return Err(coded(INVALID_OPTIONS, format!("format must be \"png\" or \"jpeg\", got {other:?}")))
        }
    };
    Ok(AnnotateOptions { mesh: options.mesh.unwrap_or(false), format })
}

pub struct AnalyzeAnnotated {
    pub engine: Arc<Engine>,
    pub image: Uint8Array,
    pub options: AnnotateOptions,
}

impl Task for AnalyzeAnnotated {
    type Output = (Vec<Face>, Vec<u8>);
    type JsValue = JsAnnotated;

    fn compute(&mut self) -> Result<Self::Output> {
        self.engine.analyze_annotated(&self.image, &self.options).map_err(from_core)
    }

    fn resolve(&mut self, _env: Env, (faces, image): Self::Output) -> Result<JsAnnotated> {
        Ok(JsAnnotated { faces: faces.into_iter().map(JsFace::from).collect(), image: image.into() })
    }
}
