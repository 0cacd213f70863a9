//! Core work run on libuv's thread pool, so the event loop never waits on a model.

use napi::bindgen_prelude::{ToNapiValue, TypeName};
use napi::{Env, Error, Result, Task};

use crate::errors::coded;

type Work<T> = Box<dyn FnOnce() -> emotion_core::Result<T> + Send>;

pub struct CoreTask<T, J> {
    // Taken by `compute`, which runs once.
    work: Option<Work<T>>,
    to_js: fn(T) -> J,
    // The core's error, kept until `reject` (on the JavaScript thread) can build its JS error.
    failure: Option<emotion_core::Error>,
}

impl<T, J> CoreTask<T, J> {
    pub fn new(work: impl FnOnce() -> emotion_core::Result<T> + Send + 'static, to_js: fn(T) -> J) -> Self {
        Self { work: Some(Box::new(work)), to_js, failure: None }
    }
}

impl<T: Send + 'static, J: ToNapiValue + TypeName> Task for CoreTask<T, J> {
    type Output = T;
    type JsValue = J;

    fn compute(&mut self) -> Result<T> {
        let work = self.work.take().ok_or_else(|| Error::from_reason("the task ran twice"))?;
        // A panic must not cross libuv's callback, where it aborts the process: it becomes this
        // call's error (a fault of ours; the core already answers bad input with its own errors).
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work))
            .map_err(|_| Error::from_reason("internal error: the engine panicked (see stderr)"))?;
        outcome.map_err(|error| {
            let reason = error.to_string();
            self.failure = Some(error);
            Error::from_reason(reason)
        })
    }

    fn resolve(&mut self, _env: Env, output: T) -> Result<J> {
        Ok((self.to_js)(output))
    }

    fn reject(&mut self, env: Env, error: Error) -> Result<J> {
        Err(self.failure.take().map_or(error, |failure| coded(&env, &failure)))
    }
}
