//! Errors cross into JavaScript as `Error`s whose `code` property is the core's
//! `ErrorCode` ("INVALID_IMAGE") and whose message is the core's, as is.

use emotion_core::ErrorCode;
use napi::bindgen_prelude::JsError;
use napi::{Env, Error};
use napi_derive::napi;

/// A JavaScript `Error` with `code` set. napi's `Status` cannot carry our codes, so the
/// error object is made here, on the JavaScript thread, and handed back as is.
pub fn coded(env: &Env, error: &emotion_core::Error) -> Error {
    let js = JsError::from(Error::new(error.code().as_str(), error.to_string()));
    Error::from(js.into_unknown(*env))
}

#[napi(object)]
pub struct ErrorCodeInfo {
    pub code: String,
    /// True when the caller's input is at fault rather than the engine.
    pub is_input_error: bool,
}

/// Every code an error of this addon (or of a binding's own input checks) can carry:
/// the TypeScript error classes and the server's HTTP mapping are tested against it.
#[napi]
pub fn error_codes() -> Vec<ErrorCodeInfo> {
    ErrorCode::ALL
        .into_iter()
        .map(|code| ErrorCodeInfo { code: code.as_str().to_owned(), is_input_error: code.is_input_error() })
        .collect()
}
