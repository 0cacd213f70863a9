//! Errors cross into JavaScript as `Error`s whose message starts with a stable code
//! ("INVALID_IMAGE: …"); the TypeScript layer maps that prefix onto its error classes.

use napi::{Error, Status};

/// Code for options the binding itself rejects before the core sees them.
pub const INVALID_OPTIONS: &str = "INVALID_OPTIONS";

pub fn coded(code: &str, message: impl std::fmt::Display) -> Error {
    // Input errors are the caller's fault: InvalidArg keeps napi's own `code` honest too.
    let status = if code == INVALID_OPTIONS { Status::InvalidArg } else { Status::GenericFailure };
    Error::new(status, format!("{code}: {message}"))
}

pub fn from_core(error: emotion_core::Error) -> Error {
    let status = if error.is_input_error() { Status::InvalidArg } else { Status::GenericFailure };
    Error::new(status, format!("{}: {error}", error.code()))
}
