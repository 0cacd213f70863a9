//! The emotion classifier trained by models/train: eye-aligned mesh geometry and an
//! aligned grey crop in, a probability per emotion out.

use image::RgbImage;

use crate::emotion::{Emotion, EmotionScore};
use crate::error::{Error, Result};
use crate::features::{aligned_crop, normalized_geometry, CROP_SIZE};
use crate::runtime::ModelPool;

const GEOMETRY_LEN: usize = 468 * 3;

pub struct EmotionClassifier {
    pool: ModelPool,
}

impl EmotionClassifier {
    pub fn new(pool: ModelPool) -> Self {
        Self { pool }
    }

    /// Probabilities for each face's landmarks, most likely first; one model run for all faces.
    pub fn classify(&self, image: &RgbImage, meshes: &[&[[f32; 3]]]) -> Result<Vec<Vec<EmotionScore>>> {
        if meshes.is_empty() {
            return Ok(Vec::new());
        }
        let n = meshes.len();
        let geometry: Vec<f32> = meshes.iter().flat_map(|m| normalized_geometry(m)).collect();
        let crops: Vec<f32> = meshes.iter().flat_map(|m| aligned_crop(image, m)).collect();
        let side = CROP_SIZE as usize;
        let probabilities = self.pool.with_session(|session| {
            let geometry = ort::value::TensorRef::from_array_view(([n, GEOMETRY_LEN], geometry.as_slice()))?;
            let crops = ort::value::TensorRef::from_array_view(([n, 1, side, side], crops.as_slice()))?;
            let outputs = session.run(ort::inputs!["geometry" => geometry, "crop" => crops])?;
            Ok(outputs["probabilities"].try_extract_tensor::<f32>()?.1.to_vec())
        })?;
        if probabilities.len() != n * Emotion::ALL.len() {
            return Err(Error::ModelOutput(format!("{} probabilities for {n} faces", probabilities.len())));
        }
        Ok(probabilities.chunks_exact(Emotion::ALL.len()).map(ranked).collect())
    }
}

fn ranked(probabilities: &[f32]) -> Vec<EmotionScore> {
    let mut emotions: Vec<EmotionScore> = Emotion::ALL
        .into_iter()
        .zip(probabilities)
        .map(|(label, &probability)| EmotionScore { label, probability })
        .collect();
    emotions.sort_by(|a, b| b.probability.total_cmp(&a.probability));
    emotions
}
