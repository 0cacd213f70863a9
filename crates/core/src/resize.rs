//! Antialiased resizing of a whole image, for the detectors' scaled views.

use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::RgbImage;

/// `image` resized to `width` × `height` with a bilinear convolution (antialiased when
/// shrinking). Both buffers are RGB8 of the sizes given, so the resizer cannot refuse them;
/// `None` would mean it did, and each caller says what to use then.
pub fn resized(image: &RgbImage, width: u32, height: u32) -> Option<RgbImage> {
    let mut out = RgbImage::new(width, height);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Bilinear));
    Resizer::new().resize(image, &mut out, &options).ok().map(|()| out)
}
