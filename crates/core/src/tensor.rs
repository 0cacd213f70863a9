//! Sampling a square ROI of an RGB image into a model's NHWC float input tensor.

use image::RgbImage;

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
///
/// Output pixel (x, y) samples the image at `roi.to_image(x / size, y / size)`; a sample whose four
/// neighbours are not all inside the image is black (`Border::Zero`), or is first clamped just
/// inside the last pixel (`Border::Replicate`). The ROI is an affine map, so each row is a start
/// point plus a constant step, and the blend goes straight to the model's scale, without an 8-bit
/// intermediate image: this is most of what the generic per-pixel warp (imageproc) cost here.
pub fn roi_to_tensor(image: &RgbImage, roi: &SquareRoi, spec: &TensorSpec) -> Vec<f32> {
    let size = spec.size as usize;
    let mut out = vec![0.0f32; size * size * 3];
    let (width, height) = image.dimensions();
    let (width, height) = (width as usize, height as usize);
    if width == 0 || height == 0 || size == 0 {
        return out;
    }
    let pixels = image.as_raw();
    let stride = width * 3;
    // Clamping stops just short of the last pixel so that its right/bottom neighbour exists.
    let max_x = (width as f32 - 1.001).max(0.0);
    let max_y = (height as f32 - 1.001).max(0.0);
    let replicate = spec.border == Border::Replicate;
    let scale = (spec.high - spec.low) / 255.0;
    let low = spec.low;
    // Pixels at the model's `low` for Zero borders.
    if !replicate {
        out.fill(low);
    }
    let to_image = roi.mapping();
    let inv = 1.0 / size as f32;
    let origin = to_image(0.0, 0.0);
    let along_x = to_image(inv, 0.0);
    let (step_xx, step_xy) = (along_x.x - origin.x, along_x.y - origin.y);

    for (y, row) in out.chunks_exact_mut(size * 3).enumerate() {
        let start = to_image(0.0, y as f32 * inv);
        for (x, texel) in row.chunks_exact_mut(3).enumerate() {
            let mut px = start.x + step_xx * x as f32;
            let mut py = start.y + step_xy * x as f32;
            if replicate {
                px = px.clamp(0.0, max_x);
                py = py.clamp(0.0, max_y);
            }
            let left = px.floor();
            let top = py.floor();
            // Positive checks so that NaN coordinates are rejected too.
            if !(left >= 0.0 && left + 1.0 < width as f32 && top >= 0.0 && top + 1.0 < height as f32) {
                continue;
            }
            let (fx, fy) = (px - left, py - top);
            let at = top as usize * stride + left as usize * 3;
            let (upper, lower) = (&pixels[at..at + 6], &pixels[at + stride..at + stride + 6]);
            for c in 0..3 {
                let a = f32::from(upper[c]);
                let b = f32::from(upper[c + 3]);
                let d = f32::from(lower[c]);
                let e = f32::from(lower[c + 3]);
                let top_row = a + (b - a) * fx;
                let bottom_row = d + (e - d) * fx;
                texel[c] = (top_row + (bottom_row - top_row) * fy) * scale + low;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    fn spec(size: u32, border: Border) -> TensorSpec {
        TensorSpec { size, low: 0.0, high: 255.0, border }
    }

    #[test]
    fn identity_roi_copies_pixels() {
        let image = RgbImage::from_fn(4, 4, |x, y| Rgb([(x * 10) as u8, (y * 10) as u8, 7]));
        let tensor = roi_to_tensor(&image, &SquareRoi::centered(2.0, 2.0, 4.0), &spec(4, Border::Replicate));
        for y in 0..4usize {
            for x in 0..4usize {
                let texel = &tensor[(y * 4 + x) * 3..][..3];
                // The last row and column are clamped to just inside the last pixel.
                let expect = |v: usize| if v == 3 { 29.99 } else { (v * 10) as f32 };
                assert!((texel[0] - expect(x)).abs() < 0.02, "x {x} y {y}: {texel:?}");
                assert!((texel[1] - expect(y)).abs() < 0.02, "x {x} y {y}: {texel:?}");
                assert!((texel[2] - 7.0).abs() < 1e-4);
            }
        }
    }

    #[test]
    fn zero_border_is_low_outside_and_blends_inside() {
        let image = RgbImage::from_pixel(2, 2, Rgb([255, 255, 255]));
        let spec = TensorSpec { size: 4, low: -1.0, high: 1.0, border: Border::Zero };
        // A 4-pixel square centred on the image's top-left pixel: only (2, 2) lands on all four neighbours.
        let tensor = roi_to_tensor(&image, &SquareRoi::centered(0.0, 0.0, 4.0), &spec);
        for (i, texel) in tensor.chunks_exact(3).enumerate() {
            let expect = if i == 2 * 4 + 2 { 1.0 } else { -1.0 };
            assert!(texel.iter().all(|&v| (v - expect).abs() < 1e-5), "texel {i}: {texel:?}");
        }
    }
}
