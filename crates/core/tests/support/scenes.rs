//! Scenes composed from faces of `../shared/datasets/faces-224`: the same pixels every time,
//! so MediaPipe's answers on them (models/reference/scenes_golden.json) stay valid, and the
//! true position of every pasted face is known.

use std::path::{Path, PathBuf};

use image::{imageops, Rgba, RgbaImage};
use imageproc::geometric_transformations::{rotate_about_center, Interpolation};

pub struct Paste {
    /// Relative to the data set root, e.g. "happy/44820917.jpg".
    pub face: &'static str,
    /// Top-left corner of the scaled face before rotation.
    pub x: i64,
    pub y: i64,
    /// Side of the pasted square in pixels.
    pub size: u32,
    /// Degrees, clockwise on screen.
    pub degrees: f32,
}

pub struct Scene {
    pub name: &'static str,
    pub width: u32,
    pub height: u32,
    pub faces: &'static [Paste],
}

pub const SCENES: &[Scene] = &[
    Scene {
        name: "webcam_one_face",
        width: 640,
        height: 480,
        faces: &[Paste { face: "happy/45952868.jpg", x: 210, y: 110, size: 240, degrees: 0.0 }],
    },
    Scene {
        name: "webcam_tilted_face",
        width: 640,
        height: 480,
        faces: &[Paste { face: "sad/72354384.jpg", x: 320, y: 150, size: 200, degrees: 14.0 }],
    },
    Scene {
        name: "webcam_face_off_centre",
        width: 640,
        height: 480,
        faces: &[Paste { face: "surprise/im1209.png", x: 40, y: 200, size: 180, degrees: -10.0 }],
    },
    Scene {
        name: "hd_two_faces",
        width: 1280,
        height: 720,
        faces: &[
            Paste { face: "neutral/70058189.jpg", x: 180, y: 160, size: 300, degrees: -8.0 },
            Paste { face: "happy/46889619.jpg", x: 760, y: 220, size: 280, degrees: 6.0 },
        ],
    },
    Scene {
        name: "hd_face_in_corner",
        width: 1280,
        height: 720,
        faces: &[Paste { face: "angry/73361360.jpg", x: 900, y: 360, size: 320, degrees: 0.0 }],
    },
    Scene {
        name: "hd_small_face",
        width: 1280,
        height: 720,
        faces: &[Paste { face: "happy/44820917.jpg", x: 600, y: 300, size: 48, degrees: 0.0 }],
    },
];

pub fn dataset_root() -> PathBuf {
    shared_dir().join("datasets/faces-224")
}

/// The team's read-only data: `../shared` beside the repository, or `EMOTION_SHARED_DIR`.
/// (Here rather than in `support` because the examples include this file on its own.)
pub fn shared_dir() -> PathBuf {
    std::env::var_os("EMOTION_SHARED_DIR")
        .filter(|dir| !dir.is_empty())
        .map_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"), PathBuf::from)
}

/// A textured background, so the detector cannot lean on a flat frame.
fn background(width: u32, height: u32) -> RgbaImage {
    let mut state: u32 = 0x9E37_79B9;
    RgbaImage::from_fn(width, height, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let noise = (state % 8) as u8;
        let r = (60 + x * 120 / width) as u8 + noise;
        let g = (90 + y * 100 / height) as u8 + noise;
        let b = (140 - (x + y) * 80 / (width + height)) as u8 + noise;
        Rgba([r, g, b, 255])
    })
}

pub fn compose(scene: &Scene) -> image::RgbImage {
    let mut canvas = background(scene.width, scene.height);
    for paste in scene.faces {
        let face = image::open(dataset_root().join(paste.face))
            .unwrap_or_else(|e| panic!("reading {}: {e}", paste.face))
            .to_rgba8();
        let scaled = imageops::resize(&face, paste.size, paste.size, imageops::FilterType::Triangle);
        // Rotating inside a larger transparent square keeps the corners.
        let margin = paste.size / 4;
        let mut padded = RgbaImage::new(paste.size + 2 * margin, paste.size + 2 * margin);
        imageops::replace(&mut padded, &scaled, i64::from(margin), i64::from(margin));
        let rotated =
            rotate_about_center(&padded, paste.degrees.to_radians(), Interpolation::Bilinear, Rgba([0, 0, 0, 0]));
        imageops::overlay(&mut canvas, &rotated, paste.x - i64::from(margin), paste.y - i64::from(margin));
    }
    image::DynamicImage::ImageRgba8(canvas).into_rgb8()
}
