//! Node.js binding of `emotion_core`: option and result conversion only; every decision
//! about images and faces is made in the core crate.

mod annotate;
mod engine;
mod errors;
mod face;
mod options;
mod task;

pub use engine::NativeEngine;
pub use errors::{error_codes, ErrorCodeInfo};
