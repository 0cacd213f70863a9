//! Core work on the engine's own threads (`emotion_core::Workers`), never on libuv's pool, so
//! the host application's file system, DNS, crypto and zlib never wait behind a model. A call's
//! promise is settled from the worker through napi's threadsafe deferred.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use emotion_core::{CancelToken, Workers};
use napi::bindgen_prelude::{Object, ToNapiValue};
use napi::{Env, JsDeferred, Result};

use crate::errors::coded;

type Resolver<J> = Box<dyn FnOnce(Env) -> Result<J> + Send>;

/// A promise settled with `to_js(work())`, `work` run on one of `workers`' threads under
/// `token`; a core error rejects it with a coded JavaScript error.
pub fn on_workers<'env, T, J>(
    env: &'env Env,
    workers: &Workers,
    token: Arc<CancelToken>,
    work: impl FnOnce() -> emotion_core::Result<T> + Send + 'static,
    to_js: fn(T) -> J,
) -> Result<Object<'env>>
where
    T: Send + 'static,
    J: ToNapiValue + 'static,
{
    let (deferred, promise) = env.create_deferred::<J, Resolver<J>>()?;
    // Refusals (busy, closed) call the job at once, so the promise always settles.
    let _ = workers.submit(token, move |ready| settle(deferred, ready.and_then(|()| run_caught(work)), to_js));
    Ok(promise)
}

/// A promise settled with `to_js(work())`, `work` run on a thread of its own: for the rare,
/// slow calls (loading the models, closing) that must not hold a worker.
pub fn on_own_thread<'env, T, J>(
    env: &'env Env,
    work: impl FnOnce() -> emotion_core::Result<T> + Send + 'static,
    to_js: fn(T) -> J,
) -> Result<Object<'env>>
where
    T: Send + 'static,
    J: ToNapiValue + 'static,
{
    let (deferred, promise) = env.create_deferred::<J, Resolver<J>>()?;
    std::thread::Builder::new()
        .name("emotion-setup".into())
        .stack_size(emotion_core::thread_stack_bytes())
        .spawn(move || settle(deferred, run_caught(work), to_js))
        .map_err(|e| napi::Error::from_reason(format!("cannot start a thread: {e}")))?;
    Ok(promise)
}

/// A panic must not cross into Node: it becomes this call's error (a fault of ours; the core
/// already answers bad input with its own errors).
fn run_caught<T>(work: impl FnOnce() -> emotion_core::Result<T>) -> emotion_core::Result<T> {
    catch_unwind(AssertUnwindSafe(work))
        .unwrap_or_else(|_| Err(emotion_core::Error::Internal("the engine panicked (see stderr)".into())))
}

fn settle<T: Send + 'static, J: ToNapiValue + 'static>(
    deferred: JsDeferred<J, Resolver<J>>,
    outcome: emotion_core::Result<T>,
    to_js: fn(T) -> J,
) {
    // The JavaScript values are made on the JavaScript thread, where the resolver runs.
    deferred.resolve(Box::new(move |env| match outcome {
        Ok(value) => Ok(to_js(value)),
        Err(error) => Err(coded(&env, &error)),
    }));
}
