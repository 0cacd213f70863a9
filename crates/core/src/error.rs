use std::path::PathBuf;

/// Everything that can go wrong between encoded bytes and faces. Input problems and
/// runtime problems are separate variants so callers can map them to 4xx and 5xx.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("the input is empty")]
    EmptyInput,

    #[error("unsupported image format: the bytes are not PNG, JPEG, WebP, BMP or GIF")]
    UnsupportedFormat,

    /// The format is known but the bytes do not decode (corrupt, truncated, no pixels).
    #[error("invalid image: {reason}")]
    InvalidImage {
        reason: String,
        #[source]
        source: Option<image::ImageError>,
    },

    #[error("image too large: {reason}")]
    TooLarge { reason: String },

    /// An engine setting is out of range (bindings check their callers' options with it too).
    #[error("{0}")]
    InvalidOptions(String),

    #[error(
        "ONNX Runtime library not found: install @emotion/core with its platform package (which \
         carries it next to the addon), or name libonnxruntime with the ortLibrary option or \
         ORT_DYLIB_PATH (searched: {})",
        searched.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
    )]
    RuntimeNotFound { searched: Vec<PathBuf> },

    /// The library was found but does not load (not ONNX Runtime, or a version too old).
    #[error("ONNX Runtime library {} does not load: {source}", path.display())]
    RuntimeLoad {
        path: PathBuf,
        #[source]
        source: ort::LoadDynamicError,
    },

    /// ONNX Runtime failed; `context` says doing what (loading the library, a model's session).
    #[error("ONNX Runtime failed{}: {source}", context.as_deref().map(|c| format!(" ({c})")).unwrap_or_default())]
    Runtime {
        context: Option<String>,
        #[source]
        source: ort::Error,
    },

    #[error("model output malformed: {0}")]
    ModelOutput(String),

    /// The engine's queue is full: `max_queue` calls already wait for a thread.
    #[error("the engine is busy: {max_queue} calls are already waiting")]
    Busy { max_queue: usize },

    /// The caller cancelled the call (a JavaScript `AbortSignal`) before it finished.
    #[error("the call was aborted")]
    Aborted,

    /// The call's time limit ran out before it finished.
    #[error("the call timed out")]
    TimedOut,

    /// The engine was closed: it takes no more calls.
    #[error("the engine is closed")]
    Closed,

    /// A fault of ours that should not happen (a caught panic): never the input's.
    #[error("internal error: {0}")]
    Internal(String),

    /// Writing an image (the annotated copy) failed.
    #[error("encoding the image failed: {source}")]
    Encode {
        #[source]
        source: image::ImageError,
    },
}

/// The stable, machine-readable codes of every error the engine and its bindings raise: the
/// one list the TypeScript error classes and the HTTP server's mapping are checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    EmptyInput,
    UnsupportedFormat,
    InvalidImage,
    ImageTooLarge,
    /// Raised by bindings that accept an image as base64 text.
    InvalidBase64,
    InvalidOptions,
    RuntimeNotFound,
    RuntimeError,
    ModelOutput,
    Busy,
    Aborted,
    Timeout,
    EngineClosed,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 13] = [
        ErrorCode::EmptyInput,
        ErrorCode::UnsupportedFormat,
        ErrorCode::InvalidImage,
        ErrorCode::ImageTooLarge,
        ErrorCode::InvalidBase64,
        ErrorCode::InvalidOptions,
        ErrorCode::RuntimeNotFound,
        ErrorCode::RuntimeError,
        ErrorCode::ModelOutput,
        ErrorCode::Busy,
        ErrorCode::Aborted,
        ErrorCode::Timeout,
        ErrorCode::EngineClosed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::EmptyInput => "EMPTY_INPUT",
            ErrorCode::UnsupportedFormat => "UNSUPPORTED_FORMAT",
            ErrorCode::InvalidImage => "INVALID_IMAGE",
            ErrorCode::ImageTooLarge => "IMAGE_TOO_LARGE",
            ErrorCode::InvalidBase64 => "INVALID_BASE64",
            ErrorCode::InvalidOptions => "INVALID_OPTIONS",
            ErrorCode::RuntimeNotFound => "RUNTIME_NOT_FOUND",
            ErrorCode::RuntimeError => "RUNTIME_ERROR",
            ErrorCode::ModelOutput => "MODEL_OUTPUT",
            ErrorCode::Busy => "BUSY",
            ErrorCode::Aborted => "ABORTED",
            ErrorCode::Timeout => "TIMEOUT",
            ErrorCode::EngineClosed => "ENGINE_CLOSED",
        }
    }

    /// True when the caller's input is at fault rather than the engine.
    pub fn is_input_error(self) -> bool {
        matches!(
            self,
            ErrorCode::EmptyInput
                | ErrorCode::UnsupportedFormat
                | ErrorCode::InvalidImage
                | ErrorCode::ImageTooLarge
                | ErrorCode::InvalidBase64
                | ErrorCode::InvalidOptions
        )
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::EmptyInput => ErrorCode::EmptyInput,
            Error::UnsupportedFormat => ErrorCode::UnsupportedFormat,
            Error::InvalidImage { .. } => ErrorCode::InvalidImage,
            Error::TooLarge { .. } => ErrorCode::ImageTooLarge,
            Error::InvalidOptions(_) => ErrorCode::InvalidOptions,
            Error::RuntimeNotFound { .. } => ErrorCode::RuntimeNotFound,
            Error::RuntimeLoad { .. } | Error::Runtime { .. } | Error::Encode { .. } | Error::Internal(_) => {
                ErrorCode::RuntimeError
            }
            Error::ModelOutput(_) => ErrorCode::ModelOutput,
            Error::Busy { .. } => ErrorCode::Busy,
            Error::Aborted => ErrorCode::Aborted,
            Error::TimedOut => ErrorCode::Timeout,
            Error::Closed => ErrorCode::EngineClosed,
        }
    }

    /// True when the caller's input is at fault rather than the engine.
    pub fn is_input_error(&self) -> bool {
        self.code().is_input_error()
    }

    pub(crate) fn invalid_image(reason: impl Into<String>) -> Self {
        Error::InvalidImage { reason: reason.into(), source: None }
    }

    pub(crate) fn runtime(context: impl Into<String>, source: impl Into<ort::Error>) -> Self {
        Error::Runtime { context: Some(context.into()), source: source.into() }
    }
}

impl From<ort::Error> for Error {
    fn from(source: ort::Error) -> Self {
        Error::Runtime { context: None, source }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
