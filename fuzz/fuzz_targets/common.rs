//! One engine per fuzzing process (loading the models takes a second), and the checks every
//! analysis must pass whatever the input. Each target uses part of it.
#![allow(dead_code)]

use std::sync::{Once, OnceLock};

use emotion_core::{Engine, EngineConfig, Face, Result};

pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(EngineConfig::default()).expect("the engine loads (is ORT_DYLIB_PATH set?)"))
}

/// Bad input may only ever be the caller's fault (a 4xx), never the engine's (a 5xx), and
/// every face found must be made of finite numbers with probabilities that sum to one.
pub fn check(outcome: Result<Vec<Face>>, width: u32, height: u32) {
    let faces = match outcome {
        Ok(faces) => faces,
        Err(error) => {
            assert!(error.is_input_error(), "not an input error: {error}");
            return;
        }
    };
    assert!(faces.len() <= engine().config().max_faces);
    for face in faces {
        let b = face.bbox;
        assert!([b.x, b.y, b.width, b.height, face.score, face.presence].iter().all(|v| v.is_finite()), "{face:?}");
        assert!(b.width > 0.0 && b.height > 0.0, "{b:?}");
        // A box may stick out of the image a little, never by more than the image's own size.
        let (w, h) = (width as f32, height as f32);
        assert!(
            b.x > -w - b.width && b.x < 2.0 * w && b.y > -h - b.height && b.y < 2.0 * h,
            "{b:?} in {width}x{height}"
        );
        assert_eq!(face.landmarks.len(), 468);
        assert!(face.landmarks.iter().flatten().all(|v| v.is_finite()));
        let total: f32 = face.emotions.iter().map(|e| e.probability).sum();
        assert!((total - 1.0).abs() < 1e-3 && face.emotions.iter().all(|e| e.probability.is_finite()), "{total}");
    }
}

/// `decode_rgb` catches a decoder's panic and answers an invalid image, but libFuzzer's panic
/// hook aborts first, so every panic is a finding. Those inside zune-jpeg 0.5.15, which panics
/// on several malformed JPEGs (regressions/decode-panic-zune-jpeg-*.jpg), are caught by
/// `decode_rgb` and only noted here, one line each, so a run goes on past them; any other panic
/// still aborts. Call at the start of each run.
pub fn tolerate_known_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let abort = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| match info.location() {
            Some(at) if at.file().contains("zune-jpeg-0.5.15/") => eprintln!("tolerated zune-jpeg panic at {at}"),
            _ => abort(info),
        }));
    });
}
