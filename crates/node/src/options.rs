//! Engine options as JavaScript passes them, checked and turned into `EngineConfig`.
//! Numbers arrive as f64 so that a negative or fractional value is reported, not wrapped.

use std::path::PathBuf;

use emotion_core::{default_threads, EngineConfig, Error, Result, SmallFaceDetector};
use napi_derive::napi;

/// Every field is optional; absent ones keep the core's defaults.
#[napi(object)]
#[derive(Default)]
pub struct EngineOptions {
    /// Path of libonnxruntime; when absent the core searches ORT_DYLIB_PATH and node_modules.
    pub ort_library: Option<String>,
    /// A folder whose `node_modules` (or an ancestor's) holds `onnxruntime-node`: the
    /// TypeScript package passes its own, so the library is found wherever it is installed.
    pub ort_search_from: Option<String>,
    /// How many calls run at once, each on a thread of the engine's own (not libuv's pool).
    /// Default: the whole CPUs this process may use (its cgroup's CPU quota, else every CPU).
    pub threads: Option<f64>,
    /// At most this many calls wait for a thread; more are refused at once (BUSY). Default: no limit.
    pub max_queue: Option<f64>,
    /// ONNX Runtime threads per model run (calls already run in parallel on `threads`).
    pub intra_threads: Option<f64>,
    /// Largest accepted width × height of a decoded image.
    pub max_pixels: Option<f64>,
    /// Largest accepted encoded image, in bytes.
    pub max_encoded_bytes: Option<f64>,
    /// Minimum detector score, 0..1.
    pub min_score: Option<f64>,
    /// Width in pixels of the smallest face to look for; 0 turns the small-face pass off.
    pub min_face_size: Option<f64>,
    /// The small-face pass's model: "full-range" (MediaPipe's, tiled) or "mtcnn".
    #[napi(ts_type = "'full-range' | 'mtcnn'")]
    pub small_face_detector: Option<String>,
    /// Minimum landmark-model presence, 0..1.
    pub min_presence: Option<f64>,
    /// At most this many faces per image.
    pub max_faces: Option<f64>,
}

/// The engine's own threads and queue.
pub struct PoolOptions {
    pub threads: usize,
    pub max_queue: usize,
}

impl PoolOptions {
    pub fn read(options: &EngineOptions) -> Result<Self> {
        Ok(Self {
            threads: match options.threads {
                Some(v) => whole(v, "threads", 1.0, 1024.0)? as usize,
                None => default_threads(),
            },
            max_queue: match options.max_queue {
                Some(v) if v == f64::INFINITY => usize::MAX,
                Some(v) => whole(v, "maxQueue", 0.0, 1e9)? as usize,
                None => usize::MAX,
            },
        })
    }
}

pub fn to_config(options: EngineOptions) -> Result<EngineConfig> {
    let mut config = EngineConfig::default();
    if let Some(path) = options.ort_library.filter(|p| !p.is_empty()) {
        config.ort_library = Some(PathBuf::from(path));
    }
    config.ort_search_from.extend(options.ort_search_from.filter(|p| !p.is_empty()).map(PathBuf::from));
    if let Some(v) = options.intra_threads {
        config.intra_threads = whole(v, "intraThreads", 1.0, 256.0)? as usize;
    }
    if let Some(v) = options.max_pixels {
        config.limits.max_pixels = whole(v, "maxPixels", 1.0, 1e12)? as u64;
    }
    if let Some(v) = options.max_encoded_bytes {
        config.limits.max_encoded_bytes = whole(v, "maxEncodedBytes", 1.0, 1e12)? as usize;
    }
    if let Some(v) = options.min_score {
        config.detection.min_score = fraction(v, "minScore")?;
    }
    if let Some(v) = options.min_face_size {
        config.detection.min_face_size = whole(v, "minFaceSize", 0.0, 1e6)? as u32;
    }
    if let Some(name) = options.small_face_detector {
        config.detection.small_face_detector = match name.as_str() {
            "full-range" => SmallFaceDetector::FullRange,
            "mtcnn" => SmallFaceDetector::Mtcnn,
            other => {
                return Err(Error::InvalidOptions(format!(
                    "smallFaceDetector must be \"full-range\" or \"mtcnn\", got {other:?}"
                )))
            }
        };
    }
    if let Some(v) = options.min_presence {
        config.min_presence = fraction(v, "minPresence")?;
    }
    if let Some(v) = options.max_faces {
        config.max_faces = whole(v, "maxFaces", 1.0, 1e6)? as usize;
    }
    Ok(config)
}

fn whole(value: f64, name: &str, min: f64, max: f64) -> Result<f64> {
    if value.is_finite() && value.fract() == 0.0 && (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(Error::InvalidOptions(format!("{name} must be a whole number from {min} to {max}, got {value}")))
    }
}

fn fraction(value: f64, name: &str) -> Result<f32> {
    if (0.0..=1.0).contains(&value) {
        Ok(value as f32)
    } else {
        Err(Error::InvalidOptions(format!("{name} must be between 0 and 1, got {value}")))
    }
}
