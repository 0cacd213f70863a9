//! The trained classifier through the real pipeline.

mod support;

use emotion_core::Emotion;

/// What `POST /predict` asks for.
const HAPPY_OR_SAD: [Emotion; 2] = [Emotion::Happy, Emotion::Sad];

#[test]
fn every_face_gets_all_seven_emotions_summing_to_one() {
    let faces = support::engine().analyze(&support::read_dataset("faces-224/happy/45952868.jpg")).expect("analyzes");
    assert_eq!(faces.len(), 1);
    let emotions = &faces[0].emotions;
    assert_eq!(emotions.len(), 7);
    let total: f32 = emotions.iter().map(|e| e.probability).sum();
    assert!((total - 1.0).abs() < 1e-3, "{total}");
    assert!(emotions.windows(2).all(|w| w[0].probability >= w[1].probability), "sorted");
    let mut labels: Vec<Emotion> = emotions.iter().map(|e| e.label).collect();
    labels.sort_unstable();
    assert_eq!(labels, Emotion::ALL);
    assert_eq!(faces[0].emotion(), emotions[0].label);
}

#[test]
fn an_image_without_a_face_has_no_dominant_emotion() {
    let blank = image::RgbImage::from_pixel(320, 240, image::Rgb([120, 130, 140]));
    let answer = support::engine().dominant_emotion(&support::encode_png(&blank), &HAPPY_OR_SAD).expect("analyzes");
    assert_eq!(answer, None);
}

/// The one HAPPY-vs-SAD gate: models/train/happy_sad_sample.tsv, 100 happy and 100 sad
/// test-split images (never trained on) drawn at random by models/train/data.py, through
/// `dominant_emotion` exactly as `POST /predict` asks it; an image where no face is found counts as wrong.
#[test]
fn happy_vs_sad_on_the_fixed_test_sample_is_at_least_93_percent() {
    let sample =
        std::fs::read_to_string(support::repo_root().join("models/train/happy_sad_sample.tsv")).expect("sample");
    let engine = support::engine();
    let (mut right, mut per_class) = (0, std::collections::BTreeMap::new());
    for line in sample.lines().skip(1) {
        let (class, path) = line.split_once('\t').expect("class<TAB>path");
        let image = support::read_dataset(&format!("faces-224/{path}"));
        let answer = engine.dominant_emotion(&image, &HAPPY_OR_SAD).expect("answers");
        let hit = answer.is_some_and(|emotion| emotion.as_str() == class);
        right += usize::from(hit);
        let entry = per_class.entry(class.to_owned()).or_insert((0, 0));
        *entry = (entry.0 + usize::from(hit), entry.1 + 1);
    }
    println!("right per class (right, images): {per_class:?}");
    assert_eq!(per_class.get("happy").map(|c| c.1), Some(100));
    assert_eq!(per_class.get("sad").map(|c| c.1), Some(100));
    let accuracy = right as f64 / 200.0;
    // Issue 17's target. The shipped model scores 186/200 = 0.930 here; the right answer nearest to
    // flipping is 0.0012 of probability from it (models/README.md), far beyond expected float noise.
    assert!(accuracy >= 0.93, "HAPPY-vs-SAD accuracy {accuracy:.3} on the fixed sample is below 0.93");
}
