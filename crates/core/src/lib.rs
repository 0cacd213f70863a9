//! Face detection, 468-point face landmarks and emotion classification on ONNX Runtime.
//!
//! ```no_run
//! let engine = emotion_core::Engine::new(Default::default())?;
//! let faces = engine.analyze(&std::fs::read("photo.jpg").unwrap())?;
//! # Ok::<(), emotion_core::Error>(())
//! ```

mod anchors;
pub mod annotate;
pub mod classifier;
pub mod decode;
pub mod detection;
mod engine;
mod error;
pub mod faces;
pub mod features;
pub mod geometry;
pub mod landmarks;
pub mod models;
mod nms;
pub mod runtime;
mod seed;
pub mod tensor;

pub use annotate::{AnnotateFormat, AnnotateOptions};
pub use classifier::{Emotion, LABELS};
pub use decode::DecodeLimits;
pub use engine::{Engine, EngineConfig, Face};
pub use error::{Error, Result};
pub use faces::DetectionConfig;
pub use geometry::{BoundingBox, Point};
pub use seed::SeedEmotion;
