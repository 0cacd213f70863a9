//! Time per `analyze` and per seed answer on composed 640×480 and 1280×720 frames, one thread,
//! median and p90 of 200 runs after warm-up.
//! `cargo run --release -p emotion-core --example bench_analyze`

#[path = "../tests/support/scenes.rs"]
mod scenes;

use std::time::Instant;

use emotion_core::{Emotion, Engine};

fn percentiles(mut millis: Vec<f64>) -> (f64, f64) {
    millis.sort_by(f64::total_cmp);
    (millis[millis.len() / 2], millis[millis.len() * 9 / 10])
}

fn time(runs: usize, mut f: impl FnMut()) -> (f64, f64) {
    for _ in 0..10 {
        f();
    }
    percentiles(
        (0..runs)
            .map(|_| {
                let started = Instant::now();
                f();
                started.elapsed().as_secs_f64() * 1e3
            })
            .collect(),
    )
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let engine = Engine::new(Default::default())?;
    for name in ["webcam_one_face", "hd_two_faces"] {
        let scene = scenes::SCENES.iter().find(|s| s.name == name).ok_or("scene")?;
        let image = scenes::compose(scene);
        let mut png = Vec::new();
        image.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)?;
        let faces = engine.analyze(&png)?.len();
        let (p50, p90) = time(200, || {
            engine.analyze(&png).expect("analyzes");
        });
        println!(
            "{name} ({}x{}, {faces} faces) analyze PNG: median {p50:.2} ms, p90 {p90:.2} ms",
            image.width(),
            image.height()
        );
        let (p50, p90) = time(200, || {
            engine.dominant_emotion(&png, &[Emotion::Happy, Emotion::Sad]).expect("answers");
        });
        println!("{name} dominant_emotion (happy or sad) PNG: median {p50:.2} ms, p90 {p90:.2} ms");
    }
    Ok(())
}
