//! Shared by the integration tests: where the data lives and one engine for all.

#![allow(dead_code)]

pub mod png;
pub mod scenes;

use std::path::PathBuf;
use std::sync::OnceLock;

use emotion_core::{Engine, EngineConfig};

/// `../shared/datasets` beside the repository, as CI and every developer have it.
pub fn datasets() -> PathBuf {
    scenes::shared_dir().join("datasets")
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(EngineConfig::default()).expect("engine loads"))
}

pub fn read_dataset(relative: &str) -> Vec<u8> {
    let path = datasets().join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

pub fn encode_png(image: &image::RgbImage) -> Vec<u8> {
    let mut bytes = Vec::new();
    image.write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Png).expect("PNG encodes");
    bytes
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}
