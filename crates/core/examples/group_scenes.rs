//! Small-face recall in composed group scenes: photo JPEGs of the data set pasted at
//! 28-64 px into 1280×720 frames whose backgrounds are the no-face photos scikit-image ships, and those photos
//! alone, which must give no face. Prints recall per face size, false faces, and time per `analyze`, for each
//! `min_face_size` given (default: the engine's). A face counts as found when a box's centre lies in its pasted
//! square; `MIN_PRESENCE=0` keeps every mesh the landmark model doubts, to see which stage loses the faces;
//! `SMALL_FACES=mtcnn` uses MTCNN for the small-face pass instead of the full-range tiles.
//! `bash bench/no-face-photos.sh && cargo run --release -p emotion-core --example group_scenes [-- 48 32]`

use std::path::PathBuf;
use std::time::Instant;

use emotion_core::{DetectionConfig, Engine, EngineConfig, Face, SmallFaceDetector};
use image::{imageops, RgbImage};

const WIDTH: u32 = 1280;
const HEIGHT: u32 = 720;
const SIZES: [u32; 6] = [28, 32, 40, 48, 56, 64];
/// Faces per scene: a 4 × 3 grid of cells, one face somewhere inside each.
const COLUMNS: u32 = 4;
const ROWS: u32 = 3;

/// Deterministic jitter, so that every run sees the same scenes.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// The team's faces, beside the repository.
fn dataset_root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/datasets/faces-224"))
}

fn photo_faces() -> Vec<PathBuf> {
    let mut faces = Vec::new();
    for class in ["angry", "disgust", "fear", "happy", "neutral", "sad", "surprise"] {
        let dir = dataset_root().join(class);
        let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("jpg")))
            .collect();
        names.sort();
        let step = (names.len() / 12).max(1);
        faces.extend(names.into_iter().step_by(step).take(12));
    }
    faces
}

fn no_face_photos() -> Vec<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../bench/.frames/no-face"));
    let mut photos: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}; run `bash bench/no-face-photos.sh`", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    photos.sort();
    photos
}

/// A no-face photo stretched to fill the frame.
fn backdrop(photo: &PathBuf) -> RgbImage {
    let image = image::open(photo).unwrap_or_else(|e| panic!("{}: {e}", photo.display())).into_rgb8();
    imageops::resize(&image, WIDTH, HEIGHT, imageops::FilterType::Triangle)
}

struct Placed {
    x: u32,
    y: u32,
    size: u32,
}

/// One scene: every cell of the grid gets a face of `size` px at a jittered place inside it.
fn compose(background: &RgbImage, faces: &[PathBuf], size: u32, seed: u64) -> (RgbImage, Vec<Placed>) {
    let mut canvas = background.clone();
    let mut placed = Vec::new();
    let mut state = seed | 1;
    let (cell_w, cell_h) = (WIDTH / COLUMNS, HEIGHT / ROWS);
    for (i, face) in faces.iter().enumerate().take((COLUMNS * ROWS) as usize) {
        let (column, row) = (i as u32 % COLUMNS, i as u32 / COLUMNS);
        let x = column * cell_w + (next(&mut state) % u64::from(cell_w - size)) as u32;
        let y = row * cell_h + (next(&mut state) % u64::from(cell_h - size)) as u32;
        let pixels = image::open(face).unwrap_or_else(|e| panic!("{}: {e}", face.display())).into_rgb8();
        let scaled = imageops::resize(&pixels, size, size, imageops::FilterType::Triangle);
        imageops::replace(&mut canvas, &scaled, i64::from(x), i64::from(y));
        placed.push(Placed { x, y, size });
    }
    (canvas, placed)
}

fn inside(face: &Face, p: &Placed) -> bool {
    let c = face.bbox.center();
    c.x > p.x as f32 && c.x < (p.x + p.size) as f32 && c.y > p.y as f32 && c.y < (p.y + p.size) as f32
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let faces = photo_faces();
    let photos = no_face_photos();
    let settings: Vec<u32> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let settings = if settings.is_empty() { vec![DetectionConfig::default().min_face_size] } else { settings };
    println!(
        "{} photo faces, {} no-face photos, {} faces per {WIDTH}x{HEIGHT} scene",
        faces.len(),
        photos.len(),
        COLUMNS * ROWS
    );
    for min_face_size in settings {
        let min_presence = std::env::var("MIN_PRESENCE").ok().and_then(|v| v.parse().ok()).unwrap_or(0.5);
        let mut config = EngineConfig::default();
        config.detection.min_face_size = min_face_size;
        config.min_presence = min_presence;
        if std::env::var("SMALL_FACES").is_ok_and(|v| v == "mtcnn") {
            config.detection.small_face_detector = SmallFaceDetector::Mtcnn;
        }
        let engine = Engine::new(config)?;
        let mut millis = Vec::new();
        let mut false_on_photos = 0;
        for photo in &photos {
            let image = image::open(photo)?.into_rgb8();
            let found = engine.analyze(&image)?;
            if !found.is_empty() {
                println!("  {} faces on no-face photo {}", found.len(), photo.display());
            }
            false_on_photos += found.len();
        }
        let mut rows = Vec::new();
        for (s, &size) in SIZES.iter().enumerate() {
            let (mut found, mut total, mut false_faces) = (0, 0, 0);
            for (b, photo) in photos.iter().enumerate() {
                let background = backdrop(photo);
                // A different run of faces per scene, so each size sees every face.
                let offset = (b * (COLUMNS * ROWS) as usize + s * 5) % faces.len();
                let chosen: Vec<PathBuf> =
                    faces.iter().cycle().skip(offset).take((COLUMNS * ROWS) as usize).cloned().collect();
                let (scene, placed) = compose(&background, &chosen, size, (b * 31 + s) as u64 + 7);
                let started = Instant::now();
                let detected = engine.analyze(&scene)?;
                millis.push(started.elapsed().as_secs_f64() * 1e3);
                total += placed.len();
                found += placed.iter().filter(|p| detected.iter().any(|f| inside(f, p))).count();
                false_faces += detected.iter().filter(|f| !placed.iter().any(|p| inside(f, p))).count();
            }
            rows.push(format!(
                "  {size:>2} px: found {found}/{total} ({:.1} %), false faces {false_faces}",
                100.0 * found as f64 / total as f64
            ));
        }
        millis.sort_by(f64::total_cmp);
        println!(
            "{:?}, min_face_size {min_face_size}, min_presence {min_presence}: false faces on the {} no-face photos: {false_on_photos}; analyze median {:.1} ms",
            engine.config().detection.small_face_detector,
            photos.len(),
            millis[millis.len() / 2]
        );
        for row in rows {
            println!("{row}");
        }
    }
    Ok(())
}
