//! `NativeEngine`: one loaded `emotion_core::Engine` shared (Arc) by every analysis, each of
//! which runs on libuv's thread pool so the event loop never waits on a model.

use std::sync::Arc;

use emotion_core::{Emotion, Engine, RawPixels};
use napi::bindgen_prelude::{AsyncTask, Uint8Array};
use napi_derive::napi;

use crate::annotate::{to_options, JsAnnotateOptions, JsAnnotated};
use crate::face::{EmotionLabel, JsFace};
use crate::options::{to_config, EngineOptions};
use crate::task::CoreTask;

/// The faces, and the encoded image with them drawn on it.
type Annotated = (Vec<emotion_core::Face>, Vec<u8>);

#[napi]
pub struct NativeEngine {
    engine: Arc<Engine>,
}

#[napi]
impl NativeEngine {
    /// Checks the options and loads the models on the thread pool (session creation takes a while).
    #[napi(ts_return_type = "Promise<NativeEngine>")]
    pub fn load(options: Option<EngineOptions>) -> AsyncTask<CoreTask<Engine, NativeEngine>> {
        let options = options.unwrap_or_default();
        AsyncTask::new(CoreTask::new(
            move || Engine::new(to_config(options)?),
            |engine| NativeEngine { engine: Arc::new(engine) },
        ))
    }

    /// Finds the faces in an encoded image (PNG, JPEG, WebP, BMP, GIF).
    /// A Buffer is a Uint8Array, so both are accepted; the bytes are read in place.
    #[napi(ts_return_type = "Promise<NativeFace[]>")]
    pub fn analyze(&self, image: Uint8Array) -> AsyncTask<CoreTask<Vec<emotion_core::Face>, Vec<JsFace>>> {
        let engine = Arc::clone(&self.engine);
        // The task holds a reference to the caller's buffer (no copy) until it is dropped.
        AsyncTask::new(CoreTask::new(
            move || engine.analyze(&image),
            |faces| faces.into_iter().map(JsFace::from).collect(),
        ))
    }

    /// Finds the faces in pixels already decoded: `width` × `height`, row-major, 1 (grey), 3 (RGB)
    /// or 4 (RGBA) bytes per pixel, told apart by the length.
    #[napi(ts_return_type = "Promise<NativeFace[]>")]
    pub fn analyze_pixels(
        &self,
        data: Uint8Array,
        width: u32,
        height: u32,
    ) -> AsyncTask<CoreTask<Vec<emotion_core::Face>, Vec<JsFace>>> {
        let engine = Arc::clone(&self.engine);
        AsyncTask::new(CoreTask::new(
            move || engine.analyze_pixels(&RawPixels { data: &data, width, height }),
            |faces| faces.into_iter().map(JsFace::from).collect(),
        ))
    }

    /// `analyze`, plus the image with the faces drawn on it (PNG, or JPEG).
    #[napi(ts_return_type = "Promise<NativeAnnotated>")]
    pub fn analyze_annotated(
        &self,
        image: Uint8Array,
        options: Option<JsAnnotateOptions>,
    ) -> AsyncTask<CoreTask<Annotated, JsAnnotated>> {
        let engine = Arc::clone(&self.engine);
        AsyncTask::new(CoreTask::new(
            move || engine.analyze_annotated(&image, &to_options(options)?),
            |(faces, image)| JsAnnotated { faces: faces.into_iter().map(JsFace::from).collect(), image: image.into() },
        ))
    }

    /// The largest face's most likely emotion among `among` (every emotion when empty; a tie
    /// goes to the one listed first), or null when there is no face.
    #[napi(ts_return_type = "Promise<EmotionLabel | null>")]
    pub fn dominant_emotion(
        &self,
        image: Uint8Array,
        among: Vec<EmotionLabel>,
    ) -> AsyncTask<CoreTask<Option<Emotion>, Option<EmotionLabel>>> {
        let engine = Arc::clone(&self.engine);
        let among: Vec<Emotion> = among.into_iter().map(Emotion::from).collect();
        AsyncTask::new(CoreTask::new(
            move || engine.dominant_emotion(&image, &among),
            |answer| answer.map(EmotionLabel::from),
        ))
    }

    /// `dominantEmotion` on pixels already decoded, laid out as for `analyzePixels`.
    #[napi(ts_return_type = "Promise<EmotionLabel | null>")]
    pub fn dominant_emotion_pixels(
        &self,
        data: Uint8Array,
        width: u32,
        height: u32,
        among: Vec<EmotionLabel>,
    ) -> AsyncTask<CoreTask<Option<Emotion>, Option<EmotionLabel>>> {
        let engine = Arc::clone(&self.engine);
        let among: Vec<Emotion> = among.into_iter().map(Emotion::from).collect();
        AsyncTask::new(CoreTask::new(
            move || engine.dominant_emotion_pixels(&RawPixels { data: &data, width, height }, &among),
            |answer| answer.map(EmotionLabel::from),
        ))
    }
}
