//! The emotions the classifier tells apart, and one face's probability for each.

use std::fmt;

/// An emotion label, in the classifier's output order (the data set's class folders, sorted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Emotion {
    Angry,
    Disgust,
    Fear,
    Happy,
    Neutral,
    Sad,
    Surprise,
}

impl Emotion {
    /// Every label, in the classifier's output order.
    pub const ALL: [Emotion; 7] = [
        Emotion::Angry,
        Emotion::Disgust,
        Emotion::Fear,
        Emotion::Happy,
        Emotion::Neutral,
        Emotion::Sad,
        Emotion::Surprise,
    ];

    /// The lower-case name used on the wire ("happy").
    pub fn as_str(self) -> &'static str {
        match self {
            Emotion::Angry => "angry",
            Emotion::Disgust => "disgust",
            Emotion::Fear => "fear",
            Emotion::Happy => "happy",
            Emotion::Neutral => "neutral",
            Emotion::Sad => "sad",
            Emotion::Surprise => "surprise",
        }
    }
}

impl fmt::Display for Emotion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One emotion's probability for one face.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EmotionScore {
    pub label: Emotion,
    pub probability: f32,
}
