//! The bundled models are exactly the files models/README.md documents.

mod support;

#[test]
fn model_files_match_their_recorded_sha256() {
    let root = support::repo_root();
    let readme = std::fs::read_to_string(root.join("models/README.md")).expect("README");
    let recorded = std::fs::read_to_string(root.join("models/convert/outputs.sha256")).expect("checksum list");
    let mut checked = 0;
    for line in recorded.lines().filter(|l| !l.trim().is_empty()) {
        let (hash, name) = line.split_once("  ").expect("sha256sum format");
        let bytes = std::fs::read(root.join("models").join(name)).expect("model present");
        assert_eq!(support::sha256_hex(&bytes), hash, "{name}");
        assert!(readme.contains(hash), "models/README.md does not record {name}'s sha256");
        checked += 1;
    }
    assert!(checked >= 3);
}

#[test]
fn the_trained_classifier_is_the_one_documented() {
    let root = support::repo_root();
    let bytes = std::fs::read(root.join("models/emotion_classifier.onnx")).expect("model present");
    let readme = std::fs::read_to_string(root.join("models/README.md")).expect("README");
    assert!(readme.contains(&support::sha256_hex(&bytes)), "models/README.md lacks the classifier's sha256");
}
