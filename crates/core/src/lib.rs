//! Face detection, 468-point face landmarks and emotion classification on ONNX Runtime.
//!
//! ```no_run
//! let engine = emotion_core::Engine::new(Default::default())?;
//! let faces = engine.analyze(&std::fs::read("photo.jpg").unwrap())?;
//! # Ok::<(), emotion_core::Error>(())
//! ```

mod annotate;
mod cancel;
mod classifier;
mod decode;
mod detect;
mod emotion;
mod engine;
mod error;
mod face;
mod features;
mod geometry;
mod image_input;
mod landmarks;
mod models;
mod pixels;
mod resize;
mod runtime;
mod tensor;
mod workers;

pub use annotate::{AnnotateFormat, AnnotateOptions, Mark};
pub use cancel::{run_with, CancelToken};
pub use decode::DecodeLimits;
pub use detect::planner::{DetectionConfig, SmallFaceDetector};
pub use emotion::{Emotion, EmotionScore};
pub use engine::{Engine, EngineConfig};
pub use error::{Error, ErrorCode, Result};
pub use face::Face;
pub use geometry::{BoundingBox, Point};
pub use image_input::Image;
pub use pixels::RawPixels;
pub use runtime::thread_stack_bytes;
pub use workers::{default_threads, Workers};

/// The pipeline's stages one by one, for the stage benchmark and the measuring examples
/// only: not part of the API, no compatibility promise. A module rather than a cargo feature
/// so that clippy and `cargo test --all-targets` always build the bench with the crate.
#[doc(hidden)]
pub mod stages {
    pub use crate::annotate::emotion_colour;
    pub use crate::classifier::EmotionClassifier;
    pub use crate::decode::decode_rgb;
    pub use crate::detect::blazeface::{BlazeFace, FULL_RANGE, SHORT_RANGE};
    pub use crate::detect::mtcnn::Mtcnn;
    pub use crate::detect::planner::FaceFinder;
    pub use crate::features::{aligned_crop, normalized_geometry, CROP_SIZE};
    pub use crate::geometry::SquareRoi;
    pub use crate::landmarks::{roi_from_detection, FaceMesh, LANDMARK_COUNT};
    pub mod models {
        pub use crate::models::*;
    }
    pub use crate::runtime::{environment, ModelPool};
    pub use crate::tensor::{roi_to_tensor, TensorSpec};
}
