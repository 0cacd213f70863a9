use std::path::PathBuf;

/// Everything that can go wrong between encoded bytes and faces. Input problems and
/// runtime problems are separate variants so callers can map them to 4xx and 5xx.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the input is empty")]
    EmptyInput,

    #[error("unsupported image format: the bytes are not PNG, JPEG, WebP, BMP or GIF")]
    UnsupportedFormat,

    #[error("invalid image: {0}")]
    InvalidImage(String),

    #[error("image too large: {reason}")]
    TooLarge { reason: String },

    #[error(
        "ONNX Runtime library not found: set ORT_DYLIB_PATH to libonnxruntime, or install the \
         onnxruntime-node npm package (searched: {})",
        searched.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
    )]
    RuntimeNotFound { searched: Vec<PathBuf> },

    #[error("ONNX Runtime failed: {0}")]
    Runtime(String),

    #[error("model output malformed: {0}")]
    ModelOutput(String),
}

impl Error {
    /// A stable, machine-readable code for bindings (JS error classes, HTTP mapping).
    pub fn code(&self) -> &'static str {
        match self {
            Error::EmptyInput => "EMPTY_INPUT",
            Error::UnsupportedFormat => "UNSUPPORTED_FORMAT",
            Error::InvalidImage(_) => "INVALID_IMAGE",
            Error::TooLarge { .. } => "IMAGE_TOO_LARGE",
            Error::RuntimeNotFound { .. } => "RUNTIME_NOT_FOUND",
            Error::Runtime(_) => "RUNTIME_ERROR",
            Error::ModelOutput(_) => "MODEL_OUTPUT",
        }
    }

    /// True when the caller's input is at fault rather than the engine.
    pub fn is_input_error(&self) -> bool {
        matches!(self, Error::EmptyInput | Error::UnsupportedFormat | Error::InvalidImage(_) | Error::TooLarge { .. })
    }
}

impl From<ort::Error> for Error {
    fn from(e: ort::Error) -> Self {
        Error::Runtime(e.to_string())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
