//! Sampling a square ROI of an RGB image into a model's NHWC float input tensor.

use image::{Rgb, RgbImage};
use imageproc::geometric_transformations::{warp_into_with, Interpolation};

use crate::geometry::SquareRoi;

/// What the model expects outside the image, as MediaPipe's ImageToTensor border modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Border {
    /// Black pixels (letterbox padding).
    Zero,
    /// The nearest edge pixel.
    Replicate,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TensorSpec {
    pub size: u32,
    /// Pixel value 0 maps to `low`, 255 to `high`.
    pub low: f32,
    pub high: f32,
    pub border: Border,
}

/// Bilinearly samples `roi` into a `size × size × 3` float tensor (NHWC without the batch axis).
pub fn roi_to_tensor(image: &RgbImage, roi: &SquareRoi, spec: &TensorSpec) -> Vec<f32> {
    let size = spec.size;
    let mut crop = RgbImage::new(size, size);
    // imageproc samples only where all four neighbours exist, so stay just inside the last one.
    let max_x = (image.width() as f32 - 1.001).max(0.0);
    let max_y = (image.height() as f32 - 1.001).max(0.0);
    let inv = 1.0 / size as f32;
    let replicate = spec.border == Border::Replicate;
    let to_image = roi.mapping();
    warp_into_with(
        image,
        |x, y| {
            let p = to_image(x * inv, y * inv);
            if replicate {
                (p.x.clamp(0.0, max_x), p.y.clamp(0.0, max_y))
            } else {
                (p.x, p.y)
            }
        },
        Interpolation::Bilinear,
        Rgb([0, 0, 0]),
        &mut crop,
    );
    let scale = (spec.high - spec.low) / 255.0;
    crop.as_raw().iter().map(|&v| f32::from(v) * scale + spec.low).collect()
}
