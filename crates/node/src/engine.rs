//! `NativeEngine`: one loaded `emotion_core::Engine` and the threads of its own that run it.
//! Every call settles a promise from those threads; libuv's pool is never used.

use std::sync::{Arc, Mutex, PoisonError};

use emotion_core::{CancelToken, Emotion, Engine, Error, Image, Mark, RawPixels, Workers};
use napi::bindgen_prelude::{Buffer, Either, Object, Uint8Array};
use napi::{Env, Result};
use napi_derive::napi;

use crate::annotate::{to_format, to_options, JsAnnotateOptions, JsAnnotated, JsMark};
use crate::face::{EmotionLabel, JsFace};
use crate::options::{to_config, EngineOptions, PoolOptions};
use crate::settle::{on_own_thread, on_workers};

/// Pixels already decoded: `width` × `height`, row-major, 1 (grey), 3 (RGB) or 4 (RGBA) bytes
/// per pixel, told apart by the length.
#[napi(object)]
pub struct NativeRawImage {
    pub data: Uint8Array,
    pub width: u32,
    pub height: u32,
}

/// An encoded image (PNG, JPEG, WebP, BMP, GIF; a Buffer is a Uint8Array, read in place), or
/// decoded pixels.
type JsImage = Either<Uint8Array, NativeRawImage>;

fn as_image(image: &JsImage) -> Image<'_> {
    match image {
        Either::A(bytes) => Image::Encoded(bytes),
        Either::B(raw) => Image::Pixels(RawPixels { data: &raw.data, width: raw.width, height: raw.height }),
    }
}

/// A call's handle for stopping it: `abort()` for an `AbortSignal`, `timeOut()` for its time
/// limit. A call that has not started never runs; one that runs stops after its current model run.
#[napi]
pub struct CallToken {
    token: Arc<CancelToken>,
}

#[napi]
impl CallToken {
    #[napi(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Self { token: CancelToken::new() }
    }

    #[napi]
    pub fn abort(&self) {
        self.token.abort();
    }

    #[napi]
    pub fn time_out(&self) {
        self.token.time_out();
    }
}

struct Loaded {
    engine: Arc<Engine>,
    workers: Arc<Workers>,
}

#[napi]
pub struct NativeEngine {
    /// `None` once closed: the models are freed and every call is refused.
    loaded: Mutex<Option<Loaded>>,
    threads: u32,
    max_encoded_bytes: f64,
}

#[napi]
impl NativeEngine {
    /// Checks the options, loads the models and starts the engine's threads, on a thread of its own.
    #[napi(ts_return_type = "Promise<NativeEngine>")]
    pub fn load(env: &Env, options: Option<EngineOptions>) -> Result<Object<'_>> {
        let options = options.unwrap_or_default();
        let pool = PoolOptions::read(&options);
        on_own_thread(
            env,
            move || {
                let pool = pool?;
                let engine = Engine::new(to_config(options)?)?;
                let workers = Workers::new(pool.threads, pool.max_queue)?;
                Ok((engine, workers, pool.threads))
            },
            |(engine, workers, threads)| NativeEngine {
                max_encoded_bytes: engine.config().limits.max_encoded_bytes as f64,
                loaded: Mutex::new(Some(Loaded { engine: Arc::new(engine), workers: Arc::new(workers) })),
                threads: u32::try_from(threads).unwrap_or(u32::MAX),
            },
        )
    }

    /// How many calls run at once: the engine's threads.
    #[napi(getter)]
    pub fn threads(&self) -> u32 {
        self.threads
    }

    /// The largest encoded image accepted, in bytes: files and streams are read up to it.
    #[napi(getter)]
    pub fn max_encoded_bytes(&self) -> f64 {
        self.max_encoded_bytes
    }

    /// Every face in the image, best-scoring first.
    #[napi(ts_return_type = "Promise<NativeFace[]>")]
    pub fn analyze<'env>(
        &self,
        env: &'env Env,
        image: Either<Uint8Array, NativeRawImage>,
        call: &CallToken,
    ) -> Result<Object<'env>> {
        self.run(
            env,
            call,
            move |engine| engine.analyze(as_image(&image)),
            |faces| faces.into_iter().map(JsFace::from).collect::<Vec<_>>(),
        )
    }

    /// `analyze`, plus the image with the faces drawn on it (PNG, or JPEG).
    #[napi(ts_return_type = "Promise<NativeAnnotated>")]
    pub fn analyze_annotated<'env>(
        &self,
        env: &'env Env,
        image: Either<Uint8Array, NativeRawImage>,
        options: Option<JsAnnotateOptions>,
        call: &CallToken,
    ) -> Result<Object<'env>> {
        self.run(
            env,
            call,
            move |engine| engine.analyze_annotated(as_image(&image), &to_options(options)?),
            |(faces, image)| JsAnnotated { faces: faces.into_iter().map(JsFace::from).collect(), image: image.into() },
        )
    }

    /// The image with `marks` drawn on it (boxes in their emotions' colours, their texts), as PNG
    /// (default) or JPEG.
    #[napi(ts_return_type = "Promise<Buffer>")]
    pub fn annotate<'env>(
        &self,
        env: &'env Env,
        image: Either<Uint8Array, NativeRawImage>,
        marks: Vec<JsMark>,
        format: Option<String>,
        call: &CallToken,
    ) -> Result<Object<'env>> {
        let marks: Vec<Mark> = marks.into_iter().map(Mark::from).collect();
        self.run(
            env,
            call,
            move |engine| engine.annotate(as_image(&image), &marks, to_format(format.as_deref())?),
            Buffer::from,
        )
    }

    /// The largest face's most likely emotion among `among` (every emotion when empty; a tie
    /// goes to the one listed first), or null when there is no face.
    #[napi(ts_return_type = "Promise<EmotionLabel | null>")]
    pub fn dominant_emotion<'env>(
        &self,
        env: &'env Env,
        image: Either<Uint8Array, NativeRawImage>,
        among: Vec<EmotionLabel>,
        call: &CallToken,
    ) -> Result<Object<'env>> {
        let among: Vec<Emotion> = among.into_iter().map(Emotion::from).collect();
        self.run(
            env,
            call,
            move |engine| engine.dominant_emotion(as_image(&image), &among),
            |answer| answer.map(EmotionLabel::from),
        )
    }

    /// Refuses new calls, lets those queued or running finish, then frees the models.
    /// Resolves once the engine's threads have ended; calling it again does nothing more.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn close<'env>(&self, env: &'env Env) -> Result<Object<'env>> {
        let loaded = self.loaded.lock().unwrap_or_else(PoisonError::into_inner).take();
        on_own_thread(
            env,
            move || {
                if let Some(Loaded { workers, engine }) = loaded {
                    workers.close();
                    drop(engine);
                }
                Ok(())
            },
            |()| (),
        )
    }

    fn run<'env, T: Send + 'static, J: napi::bindgen_prelude::ToNapiValue + 'static>(
        &self,
        env: &'env Env,
        call: &CallToken,
        work: impl FnOnce(&Engine) -> emotion_core::Result<T> + Send + 'static,
        to_js: fn(T) -> J,
    ) -> Result<Object<'env>> {
        let guard = self.loaded.lock().unwrap_or_else(PoisonError::into_inner);
        match guard.as_ref() {
            Some(Loaded { engine, workers }) => {
                let engine = Arc::clone(engine);
                on_workers(env, workers, Arc::clone(&call.token), move || work(&engine), to_js)
            }
            None => on_own_thread(env, || Err::<T, _>(Error::Closed), to_js),
        }
    }
}
