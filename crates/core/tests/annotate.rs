//! `analyze_annotated` on a real face: the box in its emotion's colour, a label, the mesh on request.

mod support;

use emotion_core::stages::emotion_colour;
use emotion_core::{AnnotateFormat, AnnotateOptions};
use image::{Rgb, RgbImage};

const MESH: Rgb<u8> = Rgb([0x00, 0xe5, 0xff]);

fn annotated(mesh: bool) -> (Vec<emotion_core::Face>, RgbImage) {
    // A grey PNG: any coloured pixel in the output was drawn.
    let bytes = support::read_dataset("faces-224/disgust/S022_006_00000015.png");
    let options = AnnotateOptions { mesh, format: AnnotateFormat::Png };
    let (faces, png) = support::engine().analyze_annotated(&bytes, &options).expect("annotates");
    let image = image::load_from_memory_with_format(&png, image::ImageFormat::Png).expect("a PNG").into_rgb8();
    (faces, image)
}

#[test]
fn draws_the_box_in_the_emotion_colour_and_a_dark_label_text() {
    let (faces, image) = annotated(false);
    assert_eq!(faces.len(), 1);
    assert_eq!(image.dimensions(), (224, 224));
    let face = &faces[0];
    let colour = emotion_colour(face.emotion());
    let (x, y) = (face.bbox.x.round() as u32, (face.bbox.y + face.bbox.height / 2.0) as u32);
    assert_eq!(*image.get_pixel(x, y), colour, "left edge of the box");
    // The label's background is the same colour, with dark text on it.
    let label = image.pixels().filter(|p| **p == colour).count();
    let text = image.pixels().filter(|p| **p == Rgb([0x11, 0x11, 0x11])).count();
    assert!(label > 500, "{label} label/box pixels");
    assert!(text > 20, "{text} text pixels");
    assert_eq!(image.pixels().filter(|p| **p == MESH).count(), 0);
}

#[test]
fn draws_the_mesh_when_asked_and_encodes_jpeg() {
    let (_, image) = annotated(true);
    assert!(image.pixels().filter(|p| **p == MESH).count() > 300);
    let bytes = support::read_dataset("faces-224/disgust/S022_006_00000015.png");
    let options = AnnotateOptions { mesh: false, format: AnnotateFormat::Jpeg };
    let (_, jpeg) = support::engine().analyze_annotated(&bytes, &options).expect("annotates");
    assert_eq!(&jpeg[..2], &[0xff, 0xd8]);
}
