//! Finding faces: the BlazeFace detectors (short- and full-range) with their SSD anchors, the
//! MTCNN cascade, MediaPipe's weighted suppression, and the pass planner that decides which of
//! them look where.

pub mod anchors;
pub mod blazeface;
pub mod mtcnn;
pub mod nms;
pub mod planner;
