//! Encoded bytes → RGB pixels, with size limits enforced from the header before any
//! pixel buffer is allocated.

use std::io::Cursor;

use image::{ImageDecoder, ImageError, ImageFormat, ImageReader, RgbImage};

use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeLimits {
    /// Largest accepted width × height.
    pub max_pixels: u64,
    /// Largest accepted encoded size in bytes.
    pub max_encoded_bytes: usize,
}

/// 4096 × 4096, imgproxy's default: room for a 12 or 16 MP camera photo and a 4K frame, while a
/// few kilobytes of PNG can no longer demand 40 MP (120 MB of pixels, seconds of CPU).
/// The detector sees at most 192 px views anyway; a face service gains nothing from more.
pub const DEFAULT_MAX_PIXELS: u64 = 4096 * 4096;

impl Default for DecodeLimits {
    fn default() -> Self {
        Self { max_pixels: DEFAULT_MAX_PIXELS, max_encoded_bytes: 25 * 1024 * 1024 }
    }
}

/// Decodes PNG, JPEG, WebP, BMP or GIF into RGB, applying EXIF orientation. Of an animation only
/// the first frame is decoded; the others are never read.
///
/// The decoders are third-party code fed hostile bytes, and one has panicked on them: a 10 KB
/// JPEG trips an assertion in zune-jpeg 0.5.15's upsampler (fuzz/regressions), and a panic that
/// reached the Node binding's thread-pool callback aborted the whole server. A panic while
/// decoding is therefore caught and answered as an invalid image.
pub fn decode_rgb(bytes: &[u8], limits: &DecodeLimits) -> Result<RgbImage> {
    std::panic::catch_unwind(|| decode_unguarded(bytes, limits))
        .unwrap_or_else(|_| Err(Error::invalid_image("the image decoder failed on these bytes")))
}

fn decode_unguarded(bytes: &[u8], limits: &DecodeLimits) -> Result<RgbImage> {
    if bytes.is_empty() {
        return Err(Error::EmptyInput);
    }
    if bytes.len() > limits.max_encoded_bytes {
        return Err(Error::TooLarge {
            reason: format!("{} encoded bytes exceed the limit of {}", bytes.len(), limits.max_encoded_bytes),
        });
    }
    let reader =
        ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| Error::invalid_image(e.to_string()))?;
    let is_jpeg = match reader.format() {
        None => return Err(Error::UnsupportedFormat),
        Some(format) => format == ImageFormat::Jpeg,
    };
    if is_jpeg {
        check_jpeg_complete(bytes)?;
    }
    let mut decoder = reader.into_decoder().map_err(image_error)?;
    let (width, height) = decoder.dimensions();
    check_dimensions(width, height, limits)?;
    if is_jpeg {
        check_jpeg_holds_its_pixels(width, height, bytes.len())?;
    }

    // The header passed our checks; the decoder's own allocation limit backs them up
    // for formats whose frames can be larger than their header says (e.g. GIF).
    let mut decoder_limits = image::Limits::default();
    decoder_limits.max_alloc = Some(limits.max_pixels.saturating_mul(4).saturating_add(1 << 20));
    decoder.set_limits(decoder_limits).map_err(image_error)?;

    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = image::DynamicImage::from_decoder(decoder).map_err(image_error)?;
    image.apply_orientation(orientation);
    Ok(image.into_rgb8())
}

pub(crate) fn check_dimensions(width: u32, height: u32, limits: &DecodeLimits) -> Result<()> {
    if width == 0 || height == 0 {
        return Err(Error::invalid_image(format!("image has no pixels ({width}x{height})")));
    }
    let pixels = u64::from(width) * u64::from(height);
    if pixels > limits.max_pixels {
        return Err(Error::TooLarge {
            reason: format!("{width}x{height} = {pixels} pixels exceed the limit of {}", limits.max_pixels),
        });
    }
    Ok(())
}

/// The JPEG decoder fills in what a truncated file lacks; we refuse such files instead.
/// Inside entropy-coded data 0xFF is always followed by 0x00 or a restart marker, so an
/// end-of-image marker after the last start-of-scan means the scan is complete.
fn check_jpeg_complete(bytes: &[u8]) -> Result<()> {
    let last_marker = |marker: u8| bytes.windows(2).rposition(|w| w == [0xFF, marker]);
    match (last_marker(0xDA), last_marker(0xD9)) {
        (Some(scan), Some(end)) if end > scan => Ok(()),
        _ => Err(Error::invalid_image("truncated JPEG: no end-of-image marker after the image data")),
    }
}

/// Huffman-coded JPEG spends at least one bit on every 8×8 block (its DC code), so a complete
/// file holds at most 64 × 8 = 512 pixels per byte; a flat grey progressive JPEG, about the most
/// compressible there is, holds ~255. (Arithmetic coding could hold more; the decoder does not
/// read it.) A header declaring more describes blocks the file cannot contain, and the decoder
/// would work through every one of them: a fuzzed 4.6 KB progressive JPEG declaring
/// 37856 × 255 took 0.2 s (fuzz/README.md).
const MAX_JPEG_PIXELS_PER_BYTE: u64 = 512;

fn check_jpeg_holds_its_pixels(width: u32, height: u32, encoded_bytes: usize) -> Result<()> {
    let pixels = u64::from(width) * u64::from(height);
    if pixels > MAX_JPEG_PIXELS_PER_BYTE.saturating_mul(encoded_bytes as u64) {
        return Err(Error::invalid_image(format!(
            "JPEG declares {width}x{height} = {pixels} pixels but holds only {encoded_bytes} bytes \
             (at most {MAX_JPEG_PIXELS_PER_BYTE} pixels per byte can be coded)"
        )));
    }
    Ok(())
}

fn image_error(e: ImageError) -> Error {
    match e {
        ImageError::Limits(l) => Error::TooLarge { reason: l.to_string() },
        other => Error::InvalidImage { reason: other.to_string(), source: Some(other) },
    }
}
