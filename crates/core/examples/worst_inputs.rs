//! What the costliest shapes an attacker can send cost, against a webcam frame with one face:
//! each input is a PNG (so decoding counts), analysed in full by `Engine::analyze`.
//! `cargo run --release -p emotion-core --example worst_inputs [-- <max_pixels> <max_small_face_tiles>]`
//! (`-- 40000000 1000000` gives the budgets before issue 15, except that strips narrower than
//! the smallest wanted face now skip the small-face pass whatever the settings)

use std::time::Instant;

use emotion_core::{Engine, EngineConfig};
use image::{imageops, RgbImage};

#[path = "../tests/support/mod.rs"]
mod support;

fn median_ms(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            f();
            started.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[runs / 2]
}

fn blank(width: u32, height: u32) -> Vec<u8> {
    support::encode_png(&RgbImage::from_pixel(width, height, image::Rgb([128, 128, 128])))
}

fn main() {
    let mut config = EngineConfig::default();
    let arg = |i: usize| std::env::args().nth(i).map(|v| v.parse::<u64>().expect("a number"));
    if let Some(max_pixels) = arg(1) {
        config.limits.max_pixels = max_pixels;
    }
    if let Some(max_tiles) = arg(2) {
        config.detection.max_small_face_tiles = max_tiles as usize;
    }
    let engine = Engine::new(config).expect("engine");

    // The data set beside the repository, or wherever EMOTION_SHARED_DIR says.
    let face = match std::env::var_os("EMOTION_SHARED_DIR") {
        Some(dir) => {
            std::fs::read(std::path::Path::new(&dir).join("datasets/faces-224/happy/45952868.jpg")).expect("face")
        }
        None => support::read_dataset("faces-224/happy/45952868.jpg"),
    };
    let face = image::load_from_memory(&face).expect("face");
    let mut webcam = RgbImage::from_pixel(640, 480, image::Rgb([90, 100, 110]));
    imageops::overlay(&mut webcam, &face.into_rgb8(), 208, 128);
    let webcam = support::encode_png(&webcam);

    let inputs = [
        ("webcam 640x480, one face", webcam),
        ("16000x1 blank", blank(16000, 1)),
        ("1x16000 blank", blank(1, 16000)),
        ("16000x64 blank", blank(16000, 64)),
        ("4096x4096 blank (16.8 MP)", blank(4096, 4096)),
        ("6000x6000 blank (36 MP)", blank(6000, 6000)),
    ];
    let (max_pixels, max_tiles) = (engine.config().limits.max_pixels, engine.config().detection.max_small_face_tiles);
    println!("max_pixels {max_pixels}, max_small_face_tiles {max_tiles}");
    let mut reference = 0.0;
    for (name, bytes) in &inputs {
        let outcome = engine.analyze(bytes);
        let runs = if bytes.len() > 100_000 || name.contains("MP") { 3 } else { 15 };
        let ms = median_ms(runs, || {
            let _ = engine.analyze(bytes);
        });
        if reference == 0.0 {
            reference = ms;
        }
        let answer = match outcome {
            Ok(faces) => format!("{} faces", faces.len()),
            Err(e) => format!("error {}", e.code()),
        };
        println!("{name:28} {:>9} bytes  {ms:9.1} ms  {:6.1}x webcam  ({answer})", bytes.len(), ms / reference);
    }
}
