//! Pixels a caller already holds (a video frame, a canvas's `ImageData`, a decoder's raw
//! output) → RGB, so that they are not encoded only to be decoded again.

use image::{GrayImage, RgbImage, RgbaImage};

use crate::decode::{check_dimensions, DecodeLimits};
use crate::error::{Error, Result};

/// Row-major, top-left first, 8 bits per channel, rows without padding. The layout is told by
/// the length: width × height × 1 (grey), × 3 (RGB) or × 4 (RGBA, alpha ignored).
#[derive(Debug, Clone, Copy)]
pub struct RawPixels<'a> {
    pub data: &'a [u8],
    pub width: u32,
    pub height: u32,
}

impl RawPixels<'_> {
    /// The pixels as RGB, after the same size limit that encoded images get.
    pub fn to_rgb(&self, limits: &DecodeLimits) -> Result<RgbImage> {
        let (width, height) = (self.width, self.height);
        if self.data.is_empty() {
            return Err(Error::EmptyInput);
        }
        check_dimensions(width, height, limits)?;
        let pixels = u64::from(width) * u64::from(height);
        let channels = (self.data.len() as u64 / pixels) as usize;
        if !matches!(channels, 1 | 3 | 4) || self.data.len() as u64 != pixels * channels as u64 {
            return Err(Error::invalid_image(format!(
                "{} bytes of pixels do not fit {width}x{height}: expected {} (grey), {} (RGB) or {} (RGBA)",
                self.data.len(),
                pixels,
                pixels * 3,
                pixels * 4
            )));
        }
        let data = self.data.to_vec();
        // The lengths were checked above, so the buffers always fit their dimensions.
        let fits = || Error::invalid_image("pixel buffer does not fit its dimensions");
        Ok(match channels {
            3 => RgbImage::from_raw(width, height, data).ok_or_else(fits)?,
            4 => {
                image::DynamicImage::ImageRgba8(RgbaImage::from_raw(width, height, data).ok_or_else(fits)?).into_rgb8()
            }
            _ => {
                image::DynamicImage::ImageLuma8(GrayImage::from_raw(width, height, data).ok_or_else(fits)?).into_rgb8()
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rgb(data: &[u8], width: u32, height: u32) -> Result<RgbImage> {
        RawPixels { data, width, height }.to_rgb(&DecodeLimits::default())
    }

    #[test]
    fn every_layout_gives_the_same_rgb() {
        let rgb_data = [10, 20, 30, 40, 50, 60];
        let rgba_data = [10, 20, 30, 255, 40, 50, 60, 0];
        let expected = RgbImage::from_raw(2, 1, rgb_data.to_vec()).expect("fits");
        assert_eq!(rgb(&rgb_data, 2, 1).expect("rgb"), expected);
        assert_eq!(rgb(&rgba_data, 2, 1).expect("rgba"), expected);
        assert_eq!(rgb(&[7, 9], 2, 1).expect("grey").as_raw(), &vec![7, 7, 7, 9, 9, 9]);
    }

    #[test]
    fn a_length_that_fits_no_layout_is_refused() {
        for (len, width, height) in [(5, 2, 1), (6, 1, 1), (2, 2, 2), (16, 2, 1)] {
            let error = rgb(&vec![0; len], width, height).expect_err("refused");
            assert!(matches!(error, Error::InvalidImage { .. }), "{len} bytes for {width}x{height}: {error}");
        }
    }

    #[test]
    fn empty_zero_sized_and_oversized_inputs_get_their_own_errors() {
        assert!(matches!(rgb(&[], 1, 1), Err(Error::EmptyInput)));
        assert!(matches!(rgb(&[1, 2, 3], 0, 1), Err(Error::InvalidImage { .. })));
        let limits = DecodeLimits { max_pixels: 4, ..DecodeLimits::default() };
        let big = RawPixels { data: &[0; 15], width: 5, height: 1 }.to_rgb(&limits);
        assert!(matches!(big, Err(Error::TooLarge { .. })));
    }
}
