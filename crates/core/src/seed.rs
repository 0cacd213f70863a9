//! The answer of the service we replace: for the largest face, HAPPY or SAD, whichever the
//! classifier finds more likely; "No face detected" when there is none.

use crate::engine::Face;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeedEmotion {
    Happy,
    Sad,
    NoFace,
}

impl SeedEmotion {
    /// The exact strings the seed's `/predict` returns.
    pub fn as_str(&self) -> &'static str {
        match self {
            SeedEmotion::Happy => "HAPPY",
            SeedEmotion::Sad => "SAD",
            SeedEmotion::NoFace => "No face detected",
        }
    }

    pub fn from_faces(faces: &[Face]) -> Self {
        let Some(largest) = faces.iter().max_by(|a, b| a.bbox.area().total_cmp(&b.bbox.area())) else {
            return SeedEmotion::NoFace;
        };
        let probability = |label: &str| {
            largest.emotions.iter().find(|e| e.label == label).map_or(0.0, |e| e.probability)
        };
        if probability("happy") >= probability("sad") {
            SeedEmotion::Happy
        } else {
            SeedEmotion::Sad
        }
    }
}
