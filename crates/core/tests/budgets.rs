//! The work one request may cause is bounded whatever the input: the default pixel limit, and
//! only the first frame of an animation is ever decoded.

mod support;

use std::io::Cursor;

use emotion_core::{stages::decode_rgb, DecodeLimits, Error};
use image::{codecs::gif::GifEncoder, Frame, RgbaImage};
use support::png::png_header;

#[test]
fn the_default_limit_is_4096_by_4096() {
    let limits = DecodeLimits::default();
    assert_eq!(limits.max_pixels, 4096 * 4096);
    let err = decode_rgb(&png_header(4097, 4096), &limits).expect_err("one column too many");
    assert!(matches!(err, Error::TooLarge { .. }), "{err:?}");
    assert!(err.to_string().contains("4097x4096"), "{err}");
    // 4096 × 4096 itself passes the header check and fails only on its truncated data.
    let err = decode_rgb(&png_header(4096, 4096), &limits).expect_err("truncated");
    assert!(matches!(err, Error::InvalidImage { .. }), "{err:?}");
}

/// A one-frame GIF followed by a second frame that declares 65535 × 65535 pixels and holds
/// garbage: decoding it would fail, so success means it was never read.
#[test]
fn frames_after_the_first_are_never_decoded() {
    let first = RgbaImage::from_fn(64, 48, |x, y| image::Rgba([x as u8 * 4, y as u8 * 5, 90, 255]));
    let mut gif = Vec::new();
    GifEncoder::new(Cursor::new(&mut gif)).encode_frames([Frame::new(first)]).expect("encodes");
    let expected = decode_rgb(&gif, &DecodeLimits::default()).expect("the one-frame GIF decodes");
    assert_eq!(gif.pop(), Some(0x3B), "a GIF ends with its trailer");
    gif.extend([0x2C, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x00]); // descriptor: 65535 × 65535
    gif.extend([0x08, 0x05, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x3B]); // bogus LZW, trailer

    let decoded = decode_rgb(&gif, &DecodeLimits::default()).expect("the first frame decodes");
    assert_eq!(decoded, expected);
}
