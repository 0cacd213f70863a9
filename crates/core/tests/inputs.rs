//! Every kind of input a caller can send: each format we accept finds the face, each bad
//! input gets its typed error, never a panic.

mod support;

use support::png::png_header;

use std::io::Cursor;

use emotion_core::stages::decode_rgb;
use emotion_core::{DecodeLimits, Engine, EngineConfig, Error, ErrorCode, RawPixels};
use image::{DynamicImage, ImageEncoder, ImageFormat, RgbImage};

const FACE: &str = "faces-224/happy/45952868.jpg";

fn face() -> RgbImage {
    image::load_from_memory(&support::read_dataset(FACE)).expect("decodes").into_rgb8()
}

fn encode(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut bytes = Vec::new();
    image.write_to(&mut Cursor::new(&mut bytes), format).expect("encodes");
    bytes
}

#[test]
fn every_accepted_format_finds_the_face() {
    let rgb = DynamicImage::ImageRgb8(face());
    let cases = [
        ("png", encode(&rgb, ImageFormat::Png)),
        ("jpeg", encode(&rgb, ImageFormat::Jpeg)),
        ("webp", encode(&rgb, ImageFormat::WebP)),
        ("bmp", encode(&rgb, ImageFormat::Bmp)),
        ("gif", encode(&DynamicImage::ImageRgba8(rgb.to_rgba8()), ImageFormat::Gif)),
        ("grey png", encode(&DynamicImage::ImageLuma8(rgb.to_luma8()), ImageFormat::Png)),
        ("rgba png", encode(&DynamicImage::ImageRgba8(rgb.to_rgba8()), ImageFormat::Png)),
    ];
    for (name, bytes) in cases {
        let faces = support::engine().analyze(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(faces.len(), 1, "{name}");
    }
}

#[test]
fn raw_pixels_give_the_faces_their_encoded_image_gives() {
    let rgb = face();
    let (width, height) = rgb.dimensions();
    let engine = support::engine();
    let from_png = engine.analyze(&encode(&DynamicImage::ImageRgb8(rgb.clone()), ImageFormat::Png)).expect("png");
    assert_eq!(from_png.len(), 1);
    let rgba = DynamicImage::ImageRgb8(rgb.clone()).to_rgba8();
    for (name, data) in [("rgb", rgb.as_raw().clone()), ("rgba", rgba.into_raw())] {
        let faces = engine.analyze(RawPixels { data: &data, width, height }).expect(name);
        assert_eq!(faces, from_png, "{name}");
    }
    let grey = DynamicImage::ImageRgb8(rgb.clone()).to_luma8();
    let from_grey_png =
        engine.analyze(&encode(&DynamicImage::ImageLuma8(grey.clone()), ImageFormat::Png)).expect("grey");
    let faces = engine.analyze(RawPixels { data: grey.as_raw(), width, height }).expect("grey pixels");
    assert_eq!(faces, from_grey_png);
    let dominant = engine.dominant_emotion(RawPixels { data: rgb.as_raw(), width, height }, &[]).expect("dominant");
    assert_eq!(dominant, Some(from_png[0].emotion()));
}

#[test]
fn raw_pixels_of_the_wrong_length_or_size_are_input_errors() {
    let engine = support::engine();
    // 150 bytes: one and a half channels per pixel.
    let wrong_length = engine.analyze(RawPixels { data: &[0; 150], width: 10, height: 10 });
    assert_eq!(wrong_length.expect_err("refused").code(), ErrorCode::InvalidImage);
    let empty = engine.analyze(RawPixels { data: &[], width: 10, height: 10 });
    assert_eq!(empty.expect_err("refused").code(), ErrorCode::EmptyInput);
    // Refused from the dimensions, before any copy of the 4 GB the claim would imply.
    let huge = engine.analyze(RawPixels { data: &[0; 3], width: 40_000, height: 40_000 });
    assert_eq!(huge.expect_err("refused").code(), ErrorCode::ImageTooLarge);
}

#[test]
fn exif_orientation_is_applied_before_detection() {
    // Stored rotated a quarter turn anticlockwise, tagged "rotate 90° clockwise to display".
    let upright = face();
    let stored = image::imageops::rotate270(&upright);
    let exif: Vec<u8> = [
        b"MM\x00\x2a\x00\x00\x00\x08".as_slice(), // big-endian TIFF header, first IFD at 8
        &[0x00, 0x01],                            // one entry
        &[0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x00, 0x00], // Orientation = 6
        &[0x00, 0x00, 0x00, 0x00],                // no next IFD
    ]
    .concat();
    let mut bytes = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 95);
    encoder.set_exif_metadata(exif).expect("JPEG takes EXIF");
    encoder
        .write_image(stored.as_raw(), stored.width(), stored.height(), image::ExtendedColorType::Rgb8)
        .expect("encodes");

    let decoded = decode_rgb(&bytes, &DecodeLimits::default()).expect("decodes");
    assert_eq!(decoded.dimensions(), upright.dimensions());
    let faces = support::engine().analyze(&bytes).expect("analyzes");
    assert_eq!(faces.len(), 1);
    // Upright: the eyes are above the mouth.
    let k = faces[0].keypoints;
    assert!(k[0].y < k[3].y && k[1].y < k[3].y, "{k:?}");
}

#[test]
fn photos_without_faces_give_no_faces() {
    let gradient = RgbImage::from_fn(640, 480, |x, y| image::Rgb([(x / 3) as u8, (y / 2) as u8, 128]));
    assert!(support::engine().analyze(&support::encode_png(&gradient)).expect("analyzes").is_empty());
    let mut state = 12345u32;
    let noise = RgbImage::from_fn(320, 240, |_, _| {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
        let v = (state >> 16) as u8;
        image::Rgb([v, v.wrapping_mul(7), v.wrapping_mul(13)])
    });
    assert!(support::engine().analyze(&support::encode_png(&noise)).expect("analyzes").is_empty());
}

#[test]
fn a_one_pixel_image_has_no_face() {
    let tiny = RgbImage::from_pixel(1, 1, image::Rgb([200, 150, 120]));
    assert!(support::engine().analyze(&support::encode_png(&tiny)).expect("analyzes").is_empty());
}

#[test]
fn empty_input_is_rejected() {
    assert!(matches!(support::engine().analyze(&[]), Err(Error::EmptyInput)));
}

#[test]
fn bytes_that_are_no_image_are_rejected() {
    for bytes in [b"{\"image\": \"not really\"}".as_slice(), b"hello world", &[0u8; 64], &[0xFFu8; 3]] {
        let err = support::engine().analyze(bytes).expect_err("rejected");
        assert!(matches!(err, Error::UnsupportedFormat), "{err:?}");
        assert_eq!(err.code(), ErrorCode::UnsupportedFormat);
        assert!(err.is_input_error());
    }
}

#[test]
fn truncated_images_are_invalid() {
    let png = support::encode_png(&face());
    let jpeg = support::read_dataset(FACE);
    for (name, bytes) in [("png", &png[..png.len() / 2]), ("jpeg", &jpeg[..jpeg.len() / 3]), ("png header", &png[..20])]
    {
        let err = support::engine().analyze(bytes).expect_err(name);
        assert!(matches!(err, Error::InvalidImage { .. }), "{name}: {err:?}");
        assert_eq!(err.code(), ErrorCode::InvalidImage);
    }
}

/// Every input a fuzzer found troublesome (fuzz/README.md) gets an input error, never a panic or
/// a face.
#[test]
fn fuzz_regressions_are_input_errors() {
    let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/regressions");
    let mut seen = 0;
    for entry in std::fs::read_dir(folder).expect("fuzz/regressions") {
        let path = entry.expect("entry").path();
        let bytes = std::fs::read(&path).expect("readable");
        let err = support::engine().analyze(&bytes).expect_err(&path.display().to_string());
        assert!(err.is_input_error(), "{}: {err:?}", path.display());
        seen += 1;
    }
    assert!(seen > 0, "no files in {folder}");
}

/// A JPEG header that declares far more blocks than its bytes can code is refused before
/// decoding: here a real photo's header claims 600 pixels per byte of the file.
#[test]
fn a_jpeg_declaring_more_pixels_than_it_can_hold_is_invalid() {
    let mut jpeg = support::read_dataset(FACE);
    let sof = jpeg.windows(2).position(|w| w[0] == 0xFF && matches!(w[1], 0xC0 | 0xC2)).expect("a frame header");
    // SOFn: marker, length (2), precision (1), height (2), width (2).
    let (height, width) =
        (u16::from_be_bytes([jpeg[sof + 5], jpeg[sof + 6]]), u16::from_be_bytes([jpeg[sof + 7], jpeg[sof + 8]]));
    let claimed = (jpeg.len() as u64 * 600).div_ceil(u64::from(height)) as u16;
    assert!(claimed > width, "the claim must grow the image");
    jpeg[sof + 7..sof + 9].copy_from_slice(&claimed.to_be_bytes());
    let err = decode_rgb(&jpeg, &DecodeLimits::default()).expect_err("refused");
    assert!(matches!(err, Error::InvalidImage { .. }), "{err:?}");
    assert!(err.to_string().contains("pixels per byte"), "{err}");
}

#[test]
fn corrupt_chunk_is_invalid() {
    let mut png = support::encode_png(&face());
    let middle = png.len() / 2;
    png[middle..middle + 64].fill(0x5A);
    let err = support::engine().analyze(&png).expect_err("rejected");
    assert!(matches!(err, Error::InvalidImage { .. }), "{err:?}");
}

#[test]
fn a_20000_by_20000_header_is_rejected_before_decoding() {
    let err = support::engine().analyze(&png_header(20_000, 20_000)).expect_err("rejected");
    assert!(matches!(err, Error::TooLarge { .. }), "{err:?}");
    assert_eq!(err.code(), ErrorCode::ImageTooLarge);
}

#[test]
fn a_zero_sized_header_is_invalid() {
    let err = support::engine().analyze(&png_header(0, 100)).expect_err("rejected");
    assert!(matches!(err, Error::InvalidImage { .. }), "{err:?}");
}

#[test]
fn limits_are_configurable() {
    let mut small = EngineConfig::default();
    small.limits.max_pixels = 100 * 100;
    let engine = Engine::new(small).expect("engine loads");
    let err = engine.analyze(&support::encode_png(&face())).expect_err("224×224 is over 100×100");
    assert!(matches!(err, Error::TooLarge { .. }), "{err:?}");

    let mut tight = EngineConfig::default();
    tight.limits.max_encoded_bytes = 1000;
    let err =
        Engine::new(tight).expect("engine loads").analyze(&support::read_dataset(FACE)).expect_err("over 1000 bytes");
    assert!(matches!(err, Error::TooLarge { .. }), "{err:?}");
}

#[test]
fn many_threads_share_one_engine() {
    let bytes = support::read_dataset(FACE);
    let expected = support::engine().analyze(&bytes).expect("analyzes");
    std::thread::scope(|scope| {
        let handles: Vec<_> =
            (0..8).map(|_| scope.spawn(|| support::engine().analyze(&bytes).expect("analyzes"))).collect();
        for handle in handles {
            assert_eq!(handle.join().expect("no panic"), expected);
        }
    });
}
