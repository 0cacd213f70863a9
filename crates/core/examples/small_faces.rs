//! Measures how small a face each detection setting finds: faces of the data set pasted at
//! several sizes into a 1280×720 frame, found-rate and time per setting.
//! `cargo run --release -p emotion-core --example small_faces`

// The tests' scene composer, of which this probe uses a part.
#[path = "../tests/support/scenes.rs"]
#[allow(dead_code)]
mod scenes;

use std::time::Instant;

use emotion_core::{Engine, EngineConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let classes = ["angry", "disgust", "fear", "happy", "neutral", "sad", "surprise"];
    let mut faces: Vec<String> = Vec::new();
    for class in classes {
        let mut names: Vec<_> = std::fs::read_dir(scenes::dataset_root().join(class))?
            .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect();
        names.sort();
        faces.extend(names.iter().step_by(names.len() / 5).take(5).map(|n| format!("{class}/{n}")));
    }
    let tile_sizes: Vec<u32> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let tile_sizes = if tile_sizes.is_empty() { vec![0, 64, 48, 40] } else { tile_sizes };
    for size in [32u32, 40, 48, 64, 96] {
        for &tile in &tile_sizes {
            let mut config = EngineConfig::default();
            config.detection.min_face_size = tile;
            config.min_presence = std::env::var("MIN_PRESENCE").ok().and_then(|v| v.parse().ok()).unwrap_or(0.5);
            let engine = Engine::new(config)?;
            let (mut found, mut false_faces, mut millis) = (0, 0, 0.0);
            for (i, face) in faces.iter().enumerate() {
                let face: &'static str = Box::leak(face.clone().into_boxed_str());
                let x = 40 + (i as i64 * 167) % (1280 - 80 - i64::from(size));
                let y = 40 + (i as i64 * 97) % (720 - 80 - i64::from(size));
                let paste = Box::leak(Box::new([scenes::Paste { face, x, y, size, degrees: 0.0 }]));
                let scene = scenes::Scene { name: "probe", width: 1280, height: 720, faces: paste };
                let image = scenes::compose(&scene);
                let started = Instant::now();
                let detected = engine.analyze(&image)?;
                millis += started.elapsed().as_secs_f64() * 1e3;
                let inside = |f: &emotion_core::Face| {
                    let c = f.bbox.center();
                    c.x > x as f32
                        && c.x < (x + i64::from(size)) as f32
                        && c.y > y as f32
                        && c.y < (y + i64::from(size)) as f32
                };
                if detected.iter().any(inside) {
                    found += 1;
                } else if std::env::var("VERBOSE").is_ok() {
                    println!("  missed {face} at {x},{y}");
                }
                false_faces += detected.iter().filter(|f| !inside(f)).count();
            }
            println!(
                "face {size:>3}px  min_face {tile:>3}: found {found}/{}  false {false_faces}  {:.1} ms/image",
                faces.len(),
                millis / faces.len() as f64
            );
        }
    }
    Ok(())
}
