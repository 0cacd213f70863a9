//! The public entry point: an image in, faces with landmarks and emotions out.

use std::path::PathBuf;

use image::RgbImage;

use crate::annotate::{self, AnnotateFormat, AnnotateOptions, Mark};
use crate::cancel::checkpoint;
use crate::classifier::EmotionClassifier;
use crate::decode::DecodeLimits;
use crate::detect::blazeface::{BlazeFace, Detection, FULL_RANGE, SHORT_RANGE};
use crate::detect::mtcnn::Mtcnn;
use crate::detect::planner::{DetectionConfig, FaceFinder, SmallFaceDetector};
use crate::emotion::{Emotion, EmotionScore};
use crate::error::Result;
use crate::face::Face;
use crate::geometry::Point;
use crate::image_input::Image;
use crate::landmarks::{roi_from_detection, FaceMesh, Mesh};
use crate::models;
use crate::runtime::{environment, ModelPool};

#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct EngineConfig {
    /// Path of the ONNX Runtime shared library; found automatically when `None`.
    pub ort_library: Option<PathBuf>,
    /// Where else to look for `node_modules/onnxruntime-node` (each directory and its
    /// ancestors), before the working directory: a binding passes its own package's folder.
    pub ort_search_from: Vec<PathBuf>,
    /// ONNX Runtime threads per model run. Parallelism across requests comes from calling
    /// `analyze` on several threads, so one is the right default for servers.
    pub intra_threads: usize,
    pub limits: DecodeLimits,
    pub detection: DetectionConfig,
    /// Faces whose crop the landmark model doubts more than this are dropped (MediaPipe: 0.5).
    pub min_presence: f32,
    /// At most this many faces, the best-scoring first.
    pub max_faces: usize,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            ort_library: None,
            ort_search_from: Vec::new(),
            intra_threads: 1,
            limits: DecodeLimits::default(),
            detection: DetectionConfig::default(),
            min_presence: 0.5,
            max_faces: 32,
        }
    }
}

/// Loaded models, shareable across threads (`Send + Sync`); create once, reuse.
pub struct Engine {
    config: EngineConfig,
    finder: FaceFinder,
    mesh: FaceMesh,
    classifier: EmotionClassifier,
}

impl Engine {
    pub fn new(config: EngineConfig) -> Result<Self> {
        let env = environment(config.ort_library.as_deref(), &config.ort_search_from)?;
        let threads = config.intra_threads;
        let pool = |name, bytes| ModelPool::new(name, bytes, threads, env.clone());
        let mtcnn = match config.detection.small_face_detector {
            SmallFaceDetector::Mtcnn => Some(Mtcnn::new(
                pool("mtcnn_pnet", models::MTCNN_PNET)?,
                pool("mtcnn_rnet", models::MTCNN_RNET)?,
                pool("mtcnn_onet", models::MTCNN_ONET)?,
            )),
            SmallFaceDetector::FullRange => None,
        };
        Ok(Self {
            finder: FaceFinder {
                short_range: BlazeFace::new(&SHORT_RANGE, pool(SHORT_RANGE.name, models::FACE_DETECTION_SHORT_RANGE)?),
                full_range: BlazeFace::new(&FULL_RANGE, pool(FULL_RANGE.name, models::FACE_DETECTION_FULL_RANGE)?),
                mtcnn,
            },
            mesh: FaceMesh::new(pool("face_landmark", models::FACE_LANDMARK)?),
            classifier: EmotionClassifier::new(pool("emotion_classifier", models::EMOTION_CLASSIFIER)?),
            config,
        })
    }

    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Every face in the image, best-scoring first. Encoded bytes and raw pixels get the same
    /// limits (`config().limits`); `&[u8]`, `RawPixels` and `&RgbImage` convert into an [`Image`].
    pub fn analyze<'a>(&self, image: impl Into<Image<'a>>) -> Result<Vec<Face>> {
        self.analyze_rgb(image.into().to_rgb(&self.config.limits)?.as_ref())
    }

    fn analyze_rgb(&self, image: &RgbImage) -> Result<Vec<Face>> {
        let detections = self.detections(image, false)?;
        let mut found = Vec::with_capacity(detections.len());
        for detection in detections {
            if let Some(mesh) = self.mesh_if_face(image, &detection)? {
                found.push((detection, mesh));
            }
        }
        checkpoint()?;
        let meshes: Vec<&[[f32; 3]]> = found.iter().map(|(_, mesh)| mesh.points.as_slice()).collect();
        let emotions = self.classifier.classify(image, &meshes)?;
        Ok(found
            .into_iter()
            .zip(emotions)
            .map(|((detection, mesh), emotions)| Face {
                bbox: detection.bbox,
                score: detection.score,
                keypoints: keypoints(&detection, &mesh),
                landmarks: mesh.points,
                presence: mesh.presence,
                emotions,
            })
            .collect())
    }

    /// `analyze`, plus the image with the faces drawn on it (boxes, labels, optionally the
    /// mesh), encoded as `options.format`: one decode for both.
    pub fn analyze_annotated<'a>(
        &self,
        image: impl Into<Image<'a>>,
        options: &AnnotateOptions,
    ) -> Result<(Vec<Face>, Vec<u8>)> {
        let mut image = image.into().to_rgb(&self.config.limits)?.into_owned();
        let faces = self.analyze_rgb(&image)?;
        annotate::draw_faces(&mut image, &faces, options.mesh);
        Ok((faces, annotate::encode(&image, options.format)?))
    }

    /// The image with `marks` drawn on it (boxes in their emotions' colours, their texts), encoded
    /// as PNG or JPEG: for callers that label faces themselves, e.g. with track ids.
    pub fn annotate<'a>(&self, image: impl Into<Image<'a>>, marks: &[Mark], format: AnnotateFormat) -> Result<Vec<u8>> {
        let mut image = image.into().to_rgb(&self.config.limits)?.into_owned();
        annotate::draw_marks(&mut image, marks);
        annotate::encode(&image, format)
    }

    /// The largest face's most likely emotion among `among` (every emotion when empty; a tie
    /// goes to the one listed first), or `None` when there is no face. Only that face's
    /// landmarks and emotions are computed, so this is cheaper than `analyze`.
    pub fn dominant_emotion<'a>(&self, image: impl Into<Image<'a>>, among: &[Emotion]) -> Result<Option<Emotion>> {
        let image = image.into().to_rgb(&self.config.limits)?;
        let image = image.as_ref();
        let mut detections = self.detections(image, true)?;
        detections.sort_by(|a, b| b.bbox.area().total_cmp(&a.bbox.area()));
        for detection in &detections {
            if let Some(mesh) = self.mesh_if_face(image, detection)? {
                checkpoint()?;
                let scores = self.classifier.classify(image, &[mesh.points.as_slice()])?;
                return Ok(scores.first().and_then(|scores| most_likely(scores, among)));
            }
        }
        Ok(None)
    }

    /// The best-scoring detections, at most `max_faces`. With `largest_only`, passes for
    /// smaller faces are skipped once a face is found.
    fn detections(&self, image: &RgbImage, largest_only: bool) -> Result<Vec<Detection>> {
        let mut detections = self.finder.find(image, &self.config.detection, largest_only)?;
        detections.truncate(self.config.max_faces);
        Ok(detections)
    }

    /// The detection's mesh, unless the landmark model doubts it is a face: MediaPipe keeps a
    /// mesh only when presence is strictly above its threshold.
    fn mesh_if_face(&self, image: &RgbImage, detection: &Detection) -> Result<Option<Mesh>> {
        checkpoint()?;
        let mesh = self.mesh.run(image, &roi_from_detection(detection))?;
        Ok((mesh.presence > self.config.min_presence).then_some(mesh))
    }
}

/// The mesh's points at the ears' height on the face outline, subject's right then left, where
/// MediaPipe's detector puts its tragion keypoints.
const MESH_EARS: [usize; 2] = [234, 454];

/// The detector's six keypoints; ears it did not give come from the mesh.
fn keypoints(detection: &Detection, mesh: &Mesh) -> [Point; 6] {
    let mut keypoints = detection.keypoints;
    if detection.ears_from_mesh {
        for (keypoint, index) in keypoints[4..].iter_mut().zip(MESH_EARS) {
            if let Some(&[x, y, _]) = mesh.points.get(index) {
                *keypoint = Point { x, y };
            }
        }
    }
    keypoints
}

fn most_likely(scores: &[EmotionScore], among: &[Emotion]) -> Option<Emotion> {
    if among.is_empty() {
        return scores.first().map(|s| s.label);
    }
    let probability = |emotion: Emotion| scores.iter().find(|s| s.label == emotion).map_or(0.0, |s| s.probability);
    among.iter().copied().reduce(|best, emotion| if probability(emotion) > probability(best) { emotion } else { best })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scores(happy: f32, sad: f32) -> Vec<EmotionScore> {
        let mut scores = vec![
            EmotionScore { label: Emotion::Happy, probability: happy },
            EmotionScore { label: Emotion::Sad, probability: sad },
            EmotionScore { label: Emotion::Neutral, probability: 1.0 - happy - sad },
        ];
        scores.sort_by(|a, b| b.probability.total_cmp(&a.probability));
        scores
    }

    #[test]
    fn the_most_likely_of_the_chosen_emotions_wins_and_a_tie_goes_to_the_first_listed() {
        let among = [Emotion::Happy, Emotion::Sad];
        assert_eq!(most_likely(&scores(0.1, 0.2), &among), Some(Emotion::Sad));
        assert_eq!(most_likely(&scores(0.2, 0.1), &among), Some(Emotion::Happy));
        assert_eq!(most_likely(&scores(0.2, 0.2), &among), Some(Emotion::Happy));
        assert_eq!(most_likely(&scores(0.2, 0.2), &[Emotion::Sad, Emotion::Happy]), Some(Emotion::Sad));
        assert_eq!(most_likely(&scores(0.1, 0.2), &[]), Some(Emotion::Neutral));
    }
}
