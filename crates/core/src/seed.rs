//! The answer of the service we replace: for the largest face, HAPPY or SAD, whichever the
//! classifier finds more likely; "No face detected" when there is none.

use crate::classifier::Emotion;

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

    /// HAPPY unless the classifier finds SAD more likely.
    pub fn from_emotions(emotions: &[Emotion]) -> Self {
        let probability = |label: &str| emotions.iter().find(|e| e.label == label).map_or(0.0, |e| e.probability);
        if probability("happy") >= probability("sad") {
            SeedEmotion::Happy
        } else {
            SeedEmotion::Sad
        }
    }
}
