//! MTCNN as the small-face pass: a group of tightly cropped faces, each 36 px wide in a
//! 1280×720 frame, is found, and nothing else is.

mod support;

use std::sync::OnceLock;

use emotion_core::{Engine, EngineConfig, SmallFaceDetector};
use support::scenes::{compose, Paste, Scene};

const FACES: [&str; 12] = [
    "angry/70079850.jpg",
    "angry/73509676.jpg",
    "disgust/img_161030373.jpg",
    "fear/70768434.jpg",
    "fear/img_161030933.jpg",
    "happy/46889619.jpg",
    "happy/70353181.jpg",
    "neutral/47053586.jpg",
    "neutral/70073331.jpg",
    "sad/70079783.jpg",
    "sad/72880221.jpg",
    "surprise/74440426.jpg",
];

const SIZE: u32 = 36;

/// A 4 × 3 grid of faces, each a little off its cell's centre.
const fn paste(i: usize) -> Paste {
    let (column, row) = ((i % 4) as i64, (i / 4) as i64);
    Paste {
        face: FACES[i],
        x: 100 + column * 300 + (i as i64 * 37) % 90,
        y: 80 + row * 220 + (i as i64 * 53) % 70,
        size: SIZE,
        degrees: 0.0,
    }
}

const GROUP: [Paste; 12] = [
    paste(0),
    paste(1),
    paste(2),
    paste(3),
    paste(4),
    paste(5),
    paste(6),
    paste(7),
    paste(8),
    paste(9),
    paste(10),
    paste(11),
];

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut config = EngineConfig::default();
        config.detection.small_face_detector = SmallFaceDetector::Mtcnn;
        config.detection.min_face_size = 28;
        Engine::new(config).expect("engine loads")
    })
}

#[test]
fn mtcnn_finds_a_group_of_36_px_faces_and_nothing_else() {
    let scene = Scene { name: "group_of_small_faces", width: 1280, height: 720, faces: &GROUP };
    let found = engine().analyze(&compose(&scene)).expect("analyzes");
    let inside = |p: &Paste, x: f32, y: f32| {
        x > p.x as f32 && x < (p.x + i64::from(p.size)) as f32 && y > p.y as f32 && y < (p.y + i64::from(p.size)) as f32
    };
    let hits = GROUP.iter().filter(|p| found.iter().any(|f| inside(p, f.bbox.center().x, f.bbox.center().y))).count();
    let strays =
        found.iter().filter(|f| !GROUP.iter().any(|p| inside(p, f.bbox.center().x, f.bbox.center().y))).count();
    assert!(hits >= 11, "found {hits} of 12 faces");
    assert_eq!(strays, 0, "{strays} boxes on no pasted face");
    for face in &found {
        let k = face.keypoints;
        // MTCNN gives no ears; they come from the mesh, outside the eyes on these upright faces.
        assert!(k[4].x < k[0].x && k[0].x < k[1].x && k[1].x < k[5].x, "keypoints out of order: {k:?}");
    }
}

#[test]
fn mtcnn_finds_no_face_on_the_background_alone() {
    let scene = Scene { name: "background", width: 1280, height: 720, faces: &[] };
    assert!(engine().analyze(&compose(&scene)).expect("analyzes").is_empty());
}
