//! Prints the faces found in each image given on the command line.
//! `cargo run --release -p emotion-core --example analyze -- photo.jpg …`

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let engine = emotion_core::Engine::new(Default::default())?;
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path)?;
        let started = Instant::now();
        match engine.analyze(&bytes) {
            Ok(faces) => {
                println!("{path}: {} face(s) in {:.1} ms", faces.len(), started.elapsed().as_secs_f64() * 1e3);
                for face in faces {
                    let b = face.bbox;
                    println!(
                        "  box {:.0},{:.0} {:.0}x{:.0}  score {:.3}  presence {:.3}",
                        b.x, b.y, b.width, b.height, face.score, face.presence
                    );
                }
            }
            Err(e) => println!("{path}: error [{}] {e}", e.code()),
        }
    }
    Ok(())
}
