//! Runs the pipeline over a labelled folder tree (one sub-folder per class) and writes what
//! the emotion classifier trains on, computed exactly as at serving time:
//!   OUT/index.tsv      class, relative path, faces found, then the best face's box and score
//!   OUT/geometry.f32   per found face: features::normalized_geometry (1404 f32, little-endian)
//!   OUT/crops.f32      per found face: features::aligned_crop (64×64 f32 grey, little-endian)
//!   OUT/mesh.f32       per found face: the 468 landmarks as MediaPipe reports them (x/width,
//!                      y/height, z/width; 1404 f32), for the seed's own recipe
//! `cargo run --release -p emotion-core --example dump_features -- DATASET_DIR OUT_DIR [THREADS]`

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use emotion_core::stages::{aligned_crop, decode_rgb, normalized_geometry};
use emotion_core::Engine;

struct Row {
    class: String,
    path: String,
    faces: usize,
    best: Option<Best>,
}

struct Best {
    bbox: emotion_core::BoundingBox,
    score: f32,
    geometry: Vec<f32>,
    crop: Vec<f32>,
    mesh: Vec<f32>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let root = PathBuf::from(args.next().ok_or("usage: dump_features DATASET_DIR OUT_DIR [THREADS]")?);
    let out = PathBuf::from(args.next().ok_or("usage: dump_features DATASET_DIR OUT_DIR [THREADS]")?);
    let threads: usize = args.next().and_then(|t| t.parse().ok()).unwrap_or(2);
    std::fs::create_dir_all(&out)?;

    let mut items: Vec<(String, String)> = Vec::new();
    let mut classes: Vec<_> = std::fs::read_dir(&root)?.filter_map(|e| e.ok()).filter(|e| e.path().is_dir()).collect();
    classes.sort_by_key(|e| e.file_name());
    for class in classes {
        let class_name = class.file_name().to_string_lossy().into_owned();
        let mut files: Vec<_> = std::fs::read_dir(class.path())?.filter_map(|e| e.ok()).collect();
        files.sort_by_key(|e| e.file_name());
        for file in files {
            items.push((class_name.clone(), format!("{class_name}/{}", file.file_name().to_string_lossy())));
        }
    }

    let engine = Engine::new(Default::default())?;
    let rows: Mutex<Vec<Option<Row>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some((class, path)) = items.get(i) else { break };
                let row = analyze(&engine, &root, class, path);
                rows.lock().unwrap_or_else(|p| p.into_inner())[i] = Some(row);
            });
        }
    });

    let mut index = std::fs::File::create(out.join("index.tsv"))?;
    let mut geometry = std::io::BufWriter::new(std::fs::File::create(out.join("geometry.f32"))?);
    let mut crops = std::io::BufWriter::new(std::fs::File::create(out.join("crops.f32"))?);
    let mut meshes = std::io::BufWriter::new(std::fs::File::create(out.join("mesh.f32"))?);
    let write_f32 = |file: &mut std::io::BufWriter<std::fs::File>, values: &[f32]| {
        file.write_all(&values.iter().flat_map(|v| v.to_le_bytes()).collect::<Vec<u8>>())
    };
    writeln!(index, "class\tpath\tfaces\tx\ty\twidth\theight\tscore")?;
    for row in rows.into_inner().unwrap_or_else(|p| p.into_inner()).into_iter().flatten() {
        match &row.best {
            Some(best) => {
                let b = best.bbox;
                writeln!(
                    index,
                    "{}\t{}\t{}\t{:.1}\t{:.1}\t{:.1}\t{:.1}\t{:.4}",
                    row.class, row.path, row.faces, b.x, b.y, b.width, b.height, best.score
                )?;
                write_f32(&mut geometry, &best.geometry)?;
                write_f32(&mut crops, &best.crop)?;
                write_f32(&mut meshes, &best.mesh)?;
            }
            None => writeln!(index, "{}\t{}\t{}\t\t\t\t\t", row.class, row.path, row.faces)?,
        }
    }
    Ok(())
}

fn analyze(engine: &Engine, root: &Path, class: &str, path: &str) -> Row {
    let result = std::fs::read(root.join(path))
        .map_err(|e| e.to_string())
        .and_then(|bytes| decode_rgb(&bytes, &engine.config().limits).map_err(|e| e.to_string()))
        .and_then(|image| engine.analyze(&image).map(|faces| (image, faces)).map_err(|e| e.to_string()));
    match result {
        Ok((image, faces)) => {
            // The largest face is the one the photo is about.
            let (w, h) = (image.width() as f32, image.height() as f32);
            let best = faces.iter().max_by(|a, b| a.bbox.area().total_cmp(&b.bbox.area())).map(|f| Best {
                bbox: f.bbox,
                score: f.score,
                geometry: normalized_geometry(&f.landmarks),
                crop: aligned_crop(&image, &f.landmarks),
                mesh: f.landmarks.iter().flat_map(|p| [p[0] / w, p[1] / h, p[2] / w]).collect(),
            });
            Row { class: class.into(), path: path.into(), faces: faces.len(), best }
        }
        Err(e) => {
            eprintln!("{path}: {e}");
            Row { class: class.into(), path: path.into(), faces: 0, best: None }
        }
    }
}
