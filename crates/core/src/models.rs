//! The ONNX models, compiled into the library so that no path has to be resolved at run
//! time. Provenance and checksums: models/README.md.

pub const FACE_DETECTION_SHORT_RANGE: &[u8] =
    include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../models/face_detection_short_range.onnx"));
pub const FACE_DETECTION_FULL_RANGE: &[u8] =
    include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../models/face_detection_full_range.onnx"));
pub const FACE_LANDMARK: &[u8] =
    include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../models/face_landmark.onnx"));
pub const EMOTION_CLASSIFIER: &[u8] =
    include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../models/emotion_classifier.onnx"));
pub const MTCNN_PNET: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../models/mtcnn_pnet.onnx"));
pub const MTCNN_RNET: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../models/mtcnn_rnet.onnx"));
pub const MTCNN_ONET: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../models/mtcnn_onet.onnx"));
