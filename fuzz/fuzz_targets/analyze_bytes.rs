//! The whole request path on untrusted bytes: decode, detect, landmarks, emotions. The first
//! byte picks `analyze` (every face) or `dominant_emotion` (the largest face only).
#![no_main]

mod common;

use emotion_core::Emotion;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::tolerate_known_panics();
    let Some((&mode, bytes)) = data.split_first() else { return };
    let engine = common::engine();
    let size = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .ok()
        .and_then(|reader| reader.into_dimensions().ok())
        .unwrap_or((1, 1));
    if mode & 1 == 0 {
        common::check(engine.analyze(bytes), size.0.max(size.1), size.0.max(size.1));
    } else if let Err(error) = engine.dominant_emotion(bytes, &[Emotion::Happy, Emotion::Sad]) {
        assert!(error.is_input_error(), "not an input error: {error}");
    }
});
