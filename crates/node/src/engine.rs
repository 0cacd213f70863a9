//! `NativeEngine`: one loaded `emotion_core::Engine` shared (Arc) by every analysis, each of
//! which runs on libuv's thread pool so the event loop never waits on a model.

use std::sync::Arc;

use emotion_core::{Engine, Face};
use napi::bindgen_prelude::{AsyncTask, Uint8Array};
use napi::{Env, Result, Task};
use napi_derive::napi;

use crate::annotate::{to_options, AnalyzeAnnotated, JsAnnotateOptions};
use crate::errors::from_core;
use crate::face::JsFace;
use crate::options::{to_config, EngineOptions};

#[napi]
pub struct NativeEngine {
    engine: Arc<Engine>,
}

#[napi]
impl NativeEngine {
    /// Loads the models synchronously; prefer `NativeEngine.load` on a live event loop.
    #[napi(constructor)]
    pub fn new(options: Option<EngineOptions>) -> Result<Self> {
        let config = to_config(options.unwrap_or_default())?;
        let engine = Engine::new(config).map_err(from_core)?;
        Ok(Self { engine: Arc::new(engine) })
    }

    /// Loads the models on the thread pool (session creation takes a while).
    #[napi(ts_return_type = "Promise<NativeEngine>")]
    pub fn load(options: Option<EngineOptions>) -> Result<AsyncTask<Load>> {
        // Options are checked here so that a typo rejects without touching the pool.
        let config = to_config(options.unwrap_or_default())?;
        Ok(AsyncTask::new(Load { config: Some(config) }))
    }

    /// Finds the faces in an encoded image (PNG, JPEG, WebP, BMP, GIF).
    /// A Buffer is a Uint8Array, so both are accepted; the bytes are read in place.
    #[napi(ts_return_type = "Promise<NativeFace[]>")]
    pub fn analyze(&self, image: Uint8Array) -> AsyncTask<Analyze> {
        AsyncTask::new(Analyze { engine: Arc::clone(&self.engine), image })
    }

    /// `analyze`, plus the image with the faces drawn on it (PNG, or JPEG).
    #[napi(ts_return_type = "Promise<NativeAnnotated>")]
    pub fn analyze_annotated(
        &self,
        image: Uint8Array,
        options: Option<JsAnnotateOptions>,
    ) -> Result<AsyncTask<AnalyzeAnnotated>> {
        let options = to_options(options)?;
        Ok(AsyncTask::new(AnalyzeAnnotated { engine: Arc::clone(&self.engine), image, options }))
    }

    /// The seed service's answer for the largest face: "HAPPY", "SAD" or "No face detected".
    #[napi(ts_return_type = "Promise<'HAPPY' | 'SAD' | 'No face detected'>")]
    pub fn predict_seed(&self, image: Uint8Array) -> AsyncTask<PredictSeed> {
        AsyncTask::new(PredictSeed { engine: Arc::clone(&self.engine), image })
    }
}

pub struct Load {
    // Taken by `compute`, which runs once.
    config: Option<emotion_core::EngineConfig>,
}

impl Task for Load {
    type Output = Engine;
    type JsValue = NativeEngine;

    fn compute(&mut self) -> Result<Engine> {
        let config = self.config.take().unwrap_or_default();
        Engine::new(config).map_err(from_core)
    }

    fn resolve(&mut self, _env: Env, engine: Engine) -> Result<NativeEngine> {
        Ok(NativeEngine { engine: Arc::new(engine) })
    }
}

pub struct Analyze {
    engine: Arc<Engine>,
    // Holds a reference to the caller's buffer (no copy) until the task is dropped.
    image: Uint8Array,
}

impl Task for Analyze {
    type Output = Vec<Face>;
    type JsValue = Vec<JsFace>;

    fn compute(&mut self) -> Result<Vec<Face>> {
        self.engine.analyze(&self.image).map_err(from_core)
    }

    fn resolve(&mut self, _env: Env, faces: Vec<Face>) -> Result<Vec<JsFace>> {
        Ok(faces.into_iter().map(JsFace::from).collect())
    }
}

pub struct PredictSeed {
    engine: Arc<Engine>,
    image: Uint8Array,
}

impl Task for PredictSeed {
    type Output = &'static str;
    type JsValue = String;

    fn compute(&mut self) -> Result<&'static str> {
        self.engine.predict_seed(&self.image).map(|answer| answer.as_str()).map_err(from_core)
    }

    fn resolve(&mut self, _env: Env, answer: &'static str) -> Result<String> {
        Ok(answer.to_string())
    }
}
