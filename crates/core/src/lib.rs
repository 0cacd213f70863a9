//! Face detection, 468-point face landmarks and emotion classification on ONNX Runtime.
//!
//! ```no_run
//! let engine = emotion_core::Engine::new(Default::default())?;
//! let faces = engine.analyze(&std::fs::read("photo.jpg").unwrap())?;
//! # Ok::<(), emotion_core::Error>(())
//! ```

mod anchors;
mod annotate;
mod classifier;
mod decode;
mod detection;
mod emotion;
mod engine;
mod error;
mod faces;
mod features;
mod geometry;
mod landmarks;
mod models;
mod mtcnn;
mod nms;
mod pixels;
mod resize;
mod runtime;
mod tensor;

pub use annotate::{AnnotateFormat, AnnotateOptions};
pub use decode::DecodeLimits;
pub use emotion::{Emotion, EmotionScore};
pub use engine::{Engine, EngineConfig, Face};
pub use error::{Error, ErrorCode, Result};
pub use faces::{DetectionConfig, SmallFaceDetector};
pub use geometry::{BoundingBox, Point};
pub use pixels::RawPixels;

/// The pipeline's stages one by one, for the stage benchmark and the measuring examples
/// only: not part of the API, no compatibility promise. A module rather than a cargo feature
/// so that clippy and `cargo test --all-targets` always build the bench with the crate.
#[doc(hidden)]
pub mod stages {
    pub use crate::annotate::emotion_colour;
    pub use crate::classifier::EmotionClassifier;
    pub use crate::decode::decode_rgb;
    pub use crate::detection::{BlazeFace, FULL_RANGE, SHORT_RANGE};
    pub use crate::faces::FaceFinder;
    pub use crate::features::{aligned_crop, normalized_geometry, CROP_SIZE};
    pub use crate::geometry::SquareRoi;
    pub use crate::landmarks::{roi_from_detection, FaceMesh, LANDMARK_COUNT};
    pub use crate::mtcnn::Mtcnn;
    pub mod models {
        pub use crate::models::*;
    }
    pub use crate::runtime::{environment, ModelPool};
    pub use crate::tensor::{roi_to_tensor, TensorSpec};
}
