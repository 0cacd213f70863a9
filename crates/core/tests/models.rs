//! The bundled models are exactly the files models/README.md documents.

mod support;

#[test]
fn model_files_match_their_recorded_sha256() {
    let root = support::repo_root();
    let recorded = std::fs::read_to_string(root.join("models/convert/outputs.sha256")).expect("checksum list");
    let mut checked = 0;
    for line in recorded.lines().filter(|l| !l.trim().is_empty()) {
        let (hash, name) = line.split_once("  ").expect("sha256sum format");
        let bytes = std::fs::read(root.join("models").join(name)).expect("model present");
        assert_eq!(support::sha256_hex(&bytes), hash, "{name}");
        let readme = std::fs::read_to_string(root.join("models/README.md")).expect("README");
        assert!(readme.contains(hash), "models/README.md does not record {name}'s sha256");
        checked += 1;
    }
    assert!(checked >= 3);
}

#[test]
fn the_compiled_in_models_are_the_files() {
    let root = support::repo_root().join("models");
    for (name, bytes) in [
        ("face_detection_short_range.onnx", emotion_core::models::FACE_DETECTION_SHORT_RANGE),
        ("face_detection_full_range.onnx", emotion_core::models::FACE_DETECTION_FULL_RANGE),
        ("face_landmark.onnx", emotion_core::models::FACE_LANDMARK),
    ] {
        assert_eq!(std::fs::read(root.join(name)).expect("model present"), bytes, "{name}");
    }
}
