//! Writes the test scenes as PNGs, for the MediaPipe reference script to read.
//! `cargo run --release -p emotion-core --example compose_scenes -- OUT_DIR`

#[path = "../tests/support/scenes.rs"]
mod scenes;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args().nth(1).ok_or("usage: compose_scenes OUT_DIR")?;
    std::fs::create_dir_all(&out)?;
    for scene in scenes::SCENES {
        let path = std::path::Path::new(&out).join(format!("{}.png", scene.name));
        scenes::compose(scene).save(&path)?;
        println!("{}", path.display());
    }
    Ok(())
}
