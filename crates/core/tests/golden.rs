//! Our detector and landmarks against MediaPipe's own answers on the same images
//! (fixtures made by models/reference/landmarks.py; see models/reference/README.md).

mod support;

use emotion_core::{BoundingBox, Face};
use serde::Deserialize;

#[derive(Deserialize)]
struct Golden {
    images: Vec<GoldenImage>,
}

#[derive(Deserialize)]
struct GoldenImage {
    path: String,
    sha256: String,
    rgb_sha256: String,
    detections: Vec<GoldenDetection>,
    meshes: Vec<GoldenMesh>,
}

#[derive(Deserialize)]
struct GoldenDetection {
    bbox: [f32; 4],
}

#[derive(Deserialize)]
struct GoldenMesh {
    landmarks: Vec<[f32; 3]>,
}

const MIN_BOX_IOU: f32 = 0.7;
/// Mean landmark error allowed per face, as a fraction of the distance between the eyes.
const MAX_MEAN_ERROR: f32 = 0.02;

fn load(name: &str) -> Golden {
    let path = support::repo_root().join("models/reference").join(name);
    serde_json::from_slice(&std::fs::read(&path).expect("fixture present")).expect("fixture parses")
}

/// Distance between the eye centres, from MediaPipe's mesh (inner and outer corners).
fn inter_ocular(mesh: &[[f32; 3]]) -> f32 {
    let centre = |a: usize, b: usize| ((mesh[a][0] + mesh[b][0]) / 2.0, (mesh[a][1] + mesh[b][1]) / 2.0);
    let (rx, ry) = centre(33, 133);
    let (lx, ly) = centre(362, 263);
    (lx - rx).hypot(ly - ry)
}

fn mean_error(ours: &[[f32; 3]], theirs: &[[f32; 3]]) -> f32 {
    ours.iter().zip(theirs).map(|(a, b)| (a[0] - b[0]).hypot(a[1] - b[1])).sum::<f32>() / theirs.len() as f32
}

struct Agreement {
    faces: usize,
    errors: Vec<f32>,
    ious: Vec<f32>,
}

fn check(image: &GoldenImage, faces: &[Face], agreement: &mut Agreement) {
    for detection in &image.detections {
        let [x, y, width, height] = detection.bbox;
        let theirs = BoundingBox { x, y, width, height };
        let best = faces.iter().map(|f| f.bbox.iou(&theirs)).fold(0.0f32, f32::max);
        assert!(best >= MIN_BOX_IOU, "{}: MediaPipe's face at {theirs:?} has best IoU {best:.3} with ours", image.path);
        agreement.ious.push(best);
    }
    for mesh in &image.meshes {
        let iod = inter_ocular(&mesh.landmarks);
        let error = faces.iter().map(|f| mean_error(&f.landmarks, &mesh.landmarks) / iod).fold(f32::INFINITY, f32::min);
        assert!(
            error <= MAX_MEAN_ERROR,
            "{}: mean landmark error {:.2} % of the inter-ocular distance",
            image.path,
            error * 100.0
        );
        agreement.errors.push(error);
        agreement.faces += 1;
    }
}

fn report(what: &str, a: &Agreement) {
    let mean = a.errors.iter().sum::<f32>() / a.errors.len().max(1) as f32;
    let max = a.errors.iter().copied().fold(0.0f32, f32::max);
    let min_iou = a.ious.iter().copied().fold(1.0f32, f32::min);
    println!(
        "{what}: {} faces; landmark error mean {:.3} %, max {:.3} % of inter-ocular distance; min box IoU {min_iou:.3}",
        a.faces,
        mean * 100.0,
        max * 100.0
    );
}

#[test]
fn faces_224_agree_with_mediapipe() {
    let golden = load("faces224_golden.json");
    assert!(golden.images.len() >= 30);
    let mut agreement = Agreement { faces: 0, errors: Vec::new(), ious: Vec::new() };
    for image in &golden.images {
        let bytes = support::read_dataset(&image.path);
        assert_eq!(support::sha256_hex(&bytes), image.sha256, "{} changed since the fixture", image.path);
        let faces = support::engine().analyze(&bytes).expect("analyzes");
        check(image, &faces, &mut agreement);
    }
    assert!(agreement.faces >= 30);
    report("faces-224", &agreement);
}

#[test]
fn composed_scenes_agree_with_mediapipe() {
    let golden = load("scenes_golden.json");
    let mut agreement = Agreement { faces: 0, errors: Vec::new(), ious: Vec::new() };
    for scene in support::scenes::SCENES {
        let fixture = golden
            .images
            .iter()
            .find(|i| i.path == format!("scenes/{}.png", scene.name))
            .unwrap_or_else(|| panic!("no fixture for {}", scene.name));
        let image = support::scenes::compose(scene);
        assert_eq!(support::sha256_hex(image.as_raw()), fixture.rgb_sha256, "{} composes differently", scene.name);
        let faces = support::engine().analyze(&image).expect("analyzes");
        check(fixture, &faces, &mut agreement);
    }
    assert!(agreement.faces >= 6);
    report("scenes", &agreement);
}

#[test]
fn two_faces_in_one_frame_are_both_found() {
    let scene = support::scenes::SCENES.iter().find(|s| s.name == "hd_two_faces").expect("scene exists");
    let faces = support::engine().analyze(&support::scenes::compose(scene)).expect("analyzes");
    assert_eq!(faces.len(), 2);
    assert!(faces.iter().all(|f| f.landmarks.len() == 468));
}

#[test]
fn a_face_48_pixels_wide_in_a_1280x720_frame_is_found() {
    // MediaPipe's FaceMesh finds nothing here (scenes_golden.json); the full-range pass must.
    let scene = support::scenes::SCENES.iter().find(|s| s.name == "hd_small_face").expect("scene exists");
    let paste = &scene.faces[0];
    let faces = support::engine().analyze(&support::scenes::compose(scene)).expect("analyzes");
    assert_eq!(faces.len(), 1, "{faces:?}");
    let c = faces[0].bbox.center();
    let (x, y, size) = (paste.x as f32, paste.y as f32, paste.size as f32);
    assert!(c.x > x && c.x < x + size && c.y > y && c.y < y + size, "found at {c:?}");
    assert!(faces[0].bbox.width > size * 0.5 && faces[0].bbox.width < size * 1.5);
}
