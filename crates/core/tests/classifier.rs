//! The trained classifier through the real pipeline.

mod support;

#[test]
fn every_face_gets_all_seven_emotions_summing_to_one() {
    let faces = support::engine().analyze(&support::read_dataset("faces-224/happy/45952868.jpg")).expect("analyzes");
    assert_eq!(faces.len(), 1);
    let emotions = &faces[0].emotions;
    assert_eq!(emotions.len(), 7);
    let total: f32 = emotions.iter().map(|e| e.probability).sum();
    assert!((total - 1.0).abs() < 1e-3, "{total}");
    assert!(emotions.windows(2).all(|w| w[0].probability >= w[1].probability), "sorted");
    let mut labels: Vec<&str> = emotions.iter().map(|e| e.label).collect();
    labels.sort_unstable();
    assert_eq!(labels, emotion_core::LABELS);
}

#[test]
fn no_face_gives_the_seed_no_face_answer() {
    let blank = image::RgbImage::from_pixel(320, 240, image::Rgb([120, 130, 140]));
    let answer = support::engine().predict_seed(&support::encode_png(&blank)).expect("analyzes");
    assert_eq!(answer.as_str(), "No face detected");
}

#[test]
fn the_classifier_file_is_the_one_documented() {
    let bytes = std::fs::read(support::repo_root().join("models/emotion_classifier.onnx")).expect("model present");
    assert_eq!(bytes, emotion_core::models::EMOTION_CLASSIFIER);
    let readme = std::fs::read_to_string(support::repo_root().join("models/README.md")).expect("README");
    assert!(readme.contains(&support::sha256_hex(&bytes)), "models/README.md lacks the classifier's sha256");
}
