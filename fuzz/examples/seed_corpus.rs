//! Writes the seed corpus of every target into fuzz/corpus/<target>/: real faces from the
//! team's data set in every format the decoder accepts (PNG in each colour type and depth the
//! encoder writes, baseline, progressive and CMYK JPEG, JPEG with each EXIF orientation, WebP,
//! BMP, still and animated GIF) and edge shapes (1×1, 1×N, N×1). Generated, never committed.
//!
//!   cargo +nightly run --release --example seed_corpus [-- <shared dir>]

use std::fs;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use image::codecs::gif::{GifEncoder, Repeat};
use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, Frame, ImageEncoder, ImageFormat, RgbImage, RgbaImage};
use jpeg_encoder::{ColorType, Encoder};

const FACES: [&str; 3] = ["happy/img_161012313.jpg", "sad/img_161025507.jpg", "neutral/11081001.jpg"];

fn main() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = std::env::args().nth(1).map(PathBuf::from).unwrap_or_else(|| here.join("../../shared"));
    let mut images: Vec<(String, Vec<u8>)> = Vec::new();
    let mut pixels: Vec<(String, u32, u32, Vec<u8>)> = Vec::new();

    for (i, name) in FACES.iter().enumerate() {
        let path = shared.join("datasets/faces-224").join(name);
        let Ok(original) = fs::read(&path) else {
            eprintln!("skipped {} (not found)", path.display());
            continue;
        };
        let face = image::load_from_memory(&original).expect("a face decodes").into_rgb8();
        images.push((format!("face{i}.jpg"), original));
        images.extend(every_format(&format!("face{i}"), &face));
        pixels.push((format!("face{i}"), face.width(), face.height(), face.into_raw()));
    }
    for (width, height) in [(1, 1), (1, 64), (64, 1), (2000, 1), (1, 2000), (3, 500)] {
        let image = RgbImage::from_fn(width, height, |x, y| image::Rgb([(x * 7) as u8, (y * 5) as u8, 128]));
        images.push((
            format!("shape{width}x{height}.png"),
            encode(&DynamicImage::ImageRgb8(image.clone()), ImageFormat::Png),
        ));
        pixels.push((format!("shape{width}x{height}"), width, height, image.into_raw()));
    }

    let write = |target: &str, name: &str, bytes: &[u8]| {
        let dir = here.join("corpus").join(target);
        fs::create_dir_all(&dir).expect("corpus folder");
        fs::write(dir.join(name), bytes).expect("corpus file");
    };
    for (name, bytes) in &images {
        write("decode", name, bytes);
        // analyze_bytes: a leading 0 runs analyze, 1 dominant_emotion.
        write("analyze_bytes", &format!("analyze-{name}"), &[&[0u8][..], bytes].concat());
        write("analyze_bytes", &format!("seed-{name}"), &[&[1u8][..], bytes].concat());
    }
    for (name, width, height, raw) in &pixels {
        let size = [((width - 1) as u16).to_le_bytes(), ((height - 1) as u16).to_le_bytes()].concat();
        write("analyze_pixels", name, &[size.as_slice(), raw].concat());
    }
    println!("{} images, {} pixel buffers, in {}", images.len(), pixels.len(), here.join("corpus").display());
}

fn encode(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut bytes = Vec::new();
    image.write_to(&mut Cursor::new(&mut bytes), format).expect("encodes");
    bytes
}

fn every_format(stem: &str, face: &RgbImage) -> Vec<(String, Vec<u8>)> {
    let rgb = DynamicImage::ImageRgb8(face.clone());
    let mut out = vec![
        (format!("{stem}.png"), encode(&rgb, ImageFormat::Png)),
        (format!("{stem}-l8.png"), encode(&DynamicImage::ImageLuma8(rgb.to_luma8()), ImageFormat::Png)),
        (format!("{stem}-la8.png"), encode(&DynamicImage::ImageLumaA8(rgb.to_luma_alpha8()), ImageFormat::Png)),
        (format!("{stem}-rgba8.png"), encode(&DynamicImage::ImageRgba8(rgb.to_rgba8()), ImageFormat::Png)),
        (format!("{stem}-l16.png"), encode(&DynamicImage::ImageLuma16(rgb.to_luma16()), ImageFormat::Png)),
        (format!("{stem}-rgb16.png"), encode(&DynamicImage::ImageRgb16(rgb.to_rgb16()), ImageFormat::Png)),
        (format!("{stem}-rgba16.png"), encode(&DynamicImage::ImageRgba16(rgb.to_rgba16()), ImageFormat::Png)),
        (format!("{stem}.webp"), encode(&rgb, ImageFormat::WebP)),
        (format!("{stem}.bmp"), encode(&rgb, ImageFormat::Bmp)),
        (format!("{stem}.gif"), encode(&DynamicImage::ImageRgba8(rgb.to_rgba8()), ImageFormat::Gif)),
        (format!("{stem}-animated.gif"), animated_gif(&rgb.to_rgba8())),
        (format!("{stem}-progressive.jpg"), jpeg(face, face.as_raw(), ColorType::Rgb, true)),
        (format!("{stem}-cmyk.jpg"), jpeg(face, &cmyk(face), ColorType::Cmyk, false)),
    ];
    for orientation in 1..=8u16 {
        out.push((format!("{stem}-exif{orientation}.jpg"), jpeg_with_orientation(face, orientation)));
    }
    out
}

/// `raw` holds `size`'s pixels in `color`'s layout.
fn jpeg(size: &RgbImage, raw: &[u8], color: ColorType, progressive: bool) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut encoder = Encoder::new(&mut bytes, 85);
    encoder.set_progressive(progressive);
    encoder.encode(raw, size.width() as u16, size.height() as u16, color).expect("encodes");
    bytes
}

fn cmyk(image: &RgbImage) -> Vec<u8> {
    image.pixels().flat_map(|p| [255 - p[0], 255 - p[1], 255 - p[2], 0]).collect()
}

fn animated_gif(first: &RgbaImage) -> Vec<u8> {
    let mut bytes = Vec::new();
    {
        let mut encoder = GifEncoder::new(&mut bytes);
        encoder.set_repeat(Repeat::Infinite).expect("repeat");
        let frames = (0..8u8).map(|i| {
            let mut frame = first.clone();
            frame.pixels_mut().for_each(|p| p[0] = p[0].wrapping_add(i * 30));
            Frame::new(frame)
        });
        encoder.encode_frames(frames).expect("encodes");
    }
    bytes
}

fn jpeg_with_orientation(image: &RgbImage, orientation: u16) -> Vec<u8> {
    let exif: Vec<u8> = [
        b"MM\x00\x2a\x00\x00\x00\x08".as_slice(),
        &[0x00, 0x01],
        &[0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01],
        &orientation.to_be_bytes(),
        &[0x00, 0x00, 0x00, 0x00, 0x00, 0x00],
    ]
    .concat();
    let mut bytes = Vec::new();
    let mut encoder = JpegEncoder::new_with_quality(&mut bytes, 85);
    encoder.set_exif_metadata(exif).expect("JPEG takes EXIF");
    encoder
        .write_image(image.as_raw(), image.width(), image.height(), image::ExtendedColorType::Rgb8)
        .expect("encodes");
    bytes
}
