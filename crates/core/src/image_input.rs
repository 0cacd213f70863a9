//! The one input type of every engine call: an encoded image, or pixels the caller already
//! holds, so that each call has one entry point whatever the caller brings.

use std::borrow::Cow;

use image::RgbImage;

use crate::decode::{decode_rgb, DecodeLimits};
use crate::error::Result;
use crate::pixels::RawPixels;

#[derive(Debug, Clone, Copy)]
pub enum Image<'a> {
    /// PNG, JPEG, WebP, BMP or GIF bytes, decoded under the engine's limits.
    Encoded(&'a [u8]),
    /// Grey, RGB or RGBA pixels (a video frame, a canvas's `ImageData`), under the same limits.
    Pixels(RawPixels<'a>),
    /// An RGB image a Rust caller decoded itself; taken as it is.
    Decoded(&'a RgbImage),
}

impl<'a> Image<'a> {
    /// The image as RGB, borrowed when it already is.
    pub(crate) fn to_rgb(self, limits: &DecodeLimits) -> Result<Cow<'a, RgbImage>> {
        Ok(match self {
            Image::Encoded(bytes) => Cow::Owned(decode_rgb(bytes, limits)?),
            Image::Pixels(pixels) => Cow::Owned(pixels.to_rgb(limits)?),
            Image::Decoded(image) => Cow::Borrowed(image),
        })
    }
}

impl<'a> From<&'a [u8]> for Image<'a> {
    fn from(bytes: &'a [u8]) -> Self {
        Image::Encoded(bytes)
    }
}

impl<'a> From<&'a Vec<u8>> for Image<'a> {
    fn from(bytes: &'a Vec<u8>) -> Self {
        Image::Encoded(bytes)
    }
}

impl<'a> From<RawPixels<'a>> for Image<'a> {
    fn from(pixels: RawPixels<'a>) -> Self {
        Image::Pixels(pixels)
    }
}

impl<'a> From<&'a RgbImage> for Image<'a> {
    fn from(image: &'a RgbImage) -> Self {
        Image::Decoded(image)
    }
}

impl<'a, const N: usize> From<&'a [u8; N]> for Image<'a> {
    fn from(bytes: &'a [u8; N]) -> Self {
        Image::Encoded(bytes)
    }
}

impl<'a> From<&RawPixels<'a>> for Image<'a> {
    fn from(pixels: &RawPixels<'a>) -> Self {
        Image::Pixels(*pixels)
    }
}
