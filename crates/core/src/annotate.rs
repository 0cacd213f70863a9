//! Faces drawn onto their image (boxes, emotion labels, optionally the 468-point mesh) and
//! the result encoded as PNG or JPEG: what `emotion analyze --annotate` writes.

use std::io::Cursor;
use std::sync::OnceLock;

use ab_glyph::{FontRef, PxScale};
use image::{ImageFormat, Rgb, RgbImage};
use imageproc::drawing::{
    draw_filled_circle_mut, draw_filled_rect_mut, draw_hollow_rect_mut, draw_text_mut, text_size,
};
use imageproc::rect::Rect;

use crate::emotion::Emotion;
use crate::error::{Error, Result};
use crate::face::Face;
use crate::geometry::BoundingBox;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AnnotateFormat {
    #[default]
    Png,
    Jpeg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AnnotateOptions {
    /// Also draw the 468 landmarks.
    pub mesh: bool,
    pub format: AnnotateFormat,
}

/// The web client's colour for each emotion, so a file and the page look alike.
pub fn emotion_colour(emotion: Emotion) -> Rgb<u8> {
    Rgb(match emotion {
        Emotion::Happy => [0xf5, 0xb7, 0x00],
        Emotion::Sad => [0x3d, 0x7d, 0xd8],
        Emotion::Angry => [0xe0, 0x41, 0x3a],
        Emotion::Disgust => [0x5a, 0xa0, 0x2c],
        Emotion::Fear => [0x9b, 0x59, 0xb6],
        Emotion::Surprise => [0xff, 0x7f, 0x2a],
        Emotion::Neutral => [0xcf, 0xd8, 0xdc],
    })
}

const TEXT_COLOUR: Rgb<u8> = Rgb([0x11, 0x11, 0x11]);
const MESH_COLOUR: Rgb<u8> = Rgb([0x00, 0xe5, 0xff]);

fn font() -> &'static FontRef<'static> {
    static FONT: OnceLock<FontRef<'static>> = OnceLock::new();
    // Hack (MIT/Bitstream Vera licence), shipped as bytes by epaint_default_fonts; a valid TTF.
    FONT.get_or_init(|| FontRef::try_from_slice(epaint_default_fonts::HACK_REGULAR).expect("the bundled font parses"))
}

/// A box to draw with its own text: for callers that label faces themselves, such as a video's
/// tracked faces ("#2 HAPPY 91%", with the smoothed emotion's colour).
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    pub bbox: BoundingBox,
    /// Its colour's emotion.
    pub emotion: Emotion,
    pub text: String,
    /// Points to draw as the mesh (the 468 landmarks), or none.
    pub landmarks: Vec<[f32; 3]>,
}

/// Draws every face onto `image`: a box in its emotion's colour, a label such as
/// "HAPPY 91%" above it (inside when the box touches the top), and with `mesh` the landmarks.
pub fn draw_faces(image: &mut RgbImage, faces: &[Face], mesh: bool) {
    let marks: Vec<Mark> = faces
        .iter()
        .map(|face| Mark {
            bbox: face.bbox,
            emotion: face.emotion(),
            text: label(face),
            landmarks: if mesh { face.landmarks.clone() } else { Vec::new() },
        })
        .collect();
    draw_marks(image, &marks);
}

/// Draws each mark: its mesh, its box in its emotion's colour, its text above it (inside when
/// the box touches the top).
pub fn draw_marks(image: &mut RgbImage, marks: &[Mark]) {
    let (width, height) = image.dimensions();
    if width == 0 || height == 0 {
        return;
    }
    let line = (width / 160).max(2);
    let font_size = (width as f32 / 22.0).max(12.0);
    let scale = PxScale::from(font_size);
    let dot = ((width as f32 / 400.0).round() as i32).max(1);
    for mark in marks {
        for [x, y, _] in &mark.landmarks {
            draw_filled_circle_mut(image, (x.round() as i32, y.round() as i32), dot, MESH_COLOUR);
        }
    }
    for mark in marks {
        let colour = emotion_colour(mark.emotion);
        let (x, y) = (mark.bbox.x.round() as i32, mark.bbox.y.round() as i32);
        let (w, h) = (mark.bbox.width.round().max(1.0) as u32, mark.bbox.height.round().max(1.0) as u32);
        for inset in 0..line as i32 {
            let side = |s: u32| s.saturating_sub(2 * inset as u32).max(1);
            draw_hollow_rect_mut(image, Rect::at(x + inset, y + inset).of_size(side(w), side(h)), colour);
        }
        if mark.text.is_empty() {
            continue;
        }
        let (text_width, text_height) = text_size(scale, font(), &mark.text);
        let padding = (font_size / 4.0).round() as u32;
        let (box_width, box_height) = (text_width + 2 * padding, text_height + 2 * padding);
        let top = if y - box_height as i32 >= 0 { y - box_height as i32 } else { y.max(0) };
        let left = x.clamp(0, (width as i32 - box_width as i32).max(0));
        draw_filled_rect_mut(image, Rect::at(left, top).of_size(box_width, box_height), colour);
        draw_text_mut(image, TEXT_COLOUR, left + padding as i32, top + padding as i32, scale, font(), &mark.text);
    }
}

/// "HAPPY 91%": the most likely emotion and its probability.
fn label(face: &Face) -> String {
    match face.emotions.first() {
        Some(top) => format!("{} {}%", top.label.as_str().to_uppercase(), (top.probability * 100.0).round()),
        None => face.emotion().as_str().to_uppercase(),
    }
}

pub fn encode(image: &RgbImage, format: AnnotateFormat) -> Result<Vec<u8>> {
    let mut out = Cursor::new(Vec::new());
    let format = match format {
        AnnotateFormat::Png => ImageFormat::Png,
        AnnotateFormat::Jpeg => ImageFormat::Jpeg,
    };
    image.write_to(&mut out, format).map_err(|source| Error::Encode { source })?;
    Ok(out.into_inner())
}
