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
/// inside the last pixel (`Border::Replicate`). The blend goes straight to the model's scale,
/// without an 8-bit intermediate image.
pub fn roi_to_tensor(image: &RgbImage, roi: &SquareRoi, spec: &TensorSpec) -> Vec<f32> {
    let size = spec.size as usize;
    let mut out = vec![0.0f32; size * size * 3];
    if image.width() == 0 || image.height() == 0 || size == 0 {
        return out;
    }
    // Pixels at the model's `low` for Zero borders.
    if spec.border == Border::Zero {
        out.fill(spec.low);
    }
    let sampler = Sampler::new(image, spec);
    if roi.rotation == 0.0 {
        sampler.axis_aligned(roi, size, &mut out);
    } else {
        sampler.rotated(roi, size, &mut out);
    }
    out
}

/// What both warps share: the pixels, the clamping bounds and the value scale.
struct Sampler<'a> {
    pixels: &'a [u8],
    width: f32,
    height: f32,
    stride: usize,
    /// Clamping stops just short of the last pixel so that its right/bottom neighbour exists.
    max_x: f32,
    max_y: f32,
    replicate: bool,
    scale: f32,
    low: f32,
}

impl<'a> Sampler<'a> {
    fn new(image: &'a RgbImage, spec: &TensorSpec) -> Self {
        let (width, height) = (image.width() as f32, image.height() as f32);
        Self {
            pixels: image.as_raw(),
            width,
            height,
            stride: image.width() as usize * 3,
            max_x: (width - 1.001).max(0.0),
            max_y: (height - 1.001).max(0.0),
            replicate: spec.border == Border::Replicate,
            scale: (spec.high - spec.low) / 255.0,
            low: spec.low,
        }
    }

    /// The pixel left of (or above) `p` and how far `p` lies past it, when both it and the next
    /// pixel are inside `0..limit`; `None` otherwise, NaN included. For the `p >= 0` that pass,
    /// truncation is floor, and much cheaper than `f32::floor` (a libm call on x86-64's baseline).
    fn cell(p: f32, limit: f32) -> Option<(usize, f32)> {
        if p.is_nan() || p < 0.0 {
            return None;
        }
        let whole = p as usize;
        let left = whole as f32;
        (left + 1.0 < limit).then_some((whole, p - left))
    }

    fn clamp_x(&self, x: f32) -> f32 {
        if self.replicate {
            x.clamp(0.0, self.max_x)
        } else {
            x
        }
    }

    fn clamp_y(&self, y: f32) -> f32 {
        if self.replicate {
            y.clamp(0.0, self.max_y)
        } else {
            y
        }
    }

    fn blend(&self, top_row: f32, bottom_row: f32, fy: f32) -> f32 {
        (top_row + (bottom_row - top_row) * fy) * self.scale + self.low
    }

    /// Any ROI: each output row is a start point plus a constant step along the rotated x axis.
    fn rotated(&self, roi: &SquareRoi, size: usize, out: &mut [f32]) {
        let to_image = roi.mapping();
        let inv = 1.0 / size as f32;
        let origin = to_image(0.0, 0.0);
        let along_x = to_image(inv, 0.0);
        let (step_xx, step_xy) = (along_x.x - origin.x, along_x.y - origin.y);
        for (y, row) in out.chunks_exact_mut(size * 3).enumerate() {
            let start = to_image(0.0, y as f32 * inv);
            for (x, texel) in row.chunks_exact_mut(3).enumerate() {
                let px = self.clamp_x(start.x + step_xx * x as f32);
                let py = self.clamp_y(start.y + step_xy * x as f32);
                let (Some((left, fx)), Some((top, fy))) = (Self::cell(px, self.width), Self::cell(py, self.height))
                else {
                    continue;
                };
                let at = top * self.stride + left * 3;
                let (upper, lower) = (&self.pixels[at..at + 6], &self.pixels[at + self.stride..at + self.stride + 6]);
                for c in 0..3 {
                    let (a, b) = (f32::from(upper[c]), f32::from(upper[c + 3]));
                    let (d, e) = (f32::from(lower[c]), f32::from(lower[c + 3]));
                    texel[c] = self.blend(a + (b - a) * fx, d + (e - d) * fx, fy);
                }
            }
        }
    }

    /// An unrotated ROI (every detector view): the columns' sample points are the same on every
    /// row and the rows' the same in every column, so each source row is blended horizontally
    /// once and reused by the output rows between it and the next. Same arithmetic, in the same
    /// order, as `rotated`, so the two give identical tensors.
    fn axis_aligned(&self, roi: &SquareRoi, size: usize, out: &mut [f32]) {
        let to_image = roi.mapping();
        let inv = 1.0 / size as f32;
        let origin = to_image(0.0, 0.0);
        let step_xx = to_image(inv, 0.0).x - origin.x;
        let columns: Vec<Option<(usize, f32)>> =
            (0..size).map(|x| Self::cell(self.clamp_x(origin.x + step_xx * x as f32), self.width)).collect();
        // Source rows blended horizontally, keyed by row index: the upper and lower of the last output row.
        let mut upper: (usize, Vec<f32>) = (usize::MAX, vec![0.0; size * 3]);
        let mut lower: (usize, Vec<f32>) = (usize::MAX, vec![0.0; size * 3]);
        for (y, row) in out.chunks_exact_mut(size * 3).enumerate() {
            let Some((top, fy)) = Self::cell(self.clamp_y(to_image(0.0, y as f32 * inv).y), self.height) else {
                continue;
            };
            if upper.0 != top {
                if lower.0 == top {
                    std::mem::swap(&mut upper, &mut lower);
                } else {
                    self.blend_row(top, &columns, &mut upper.1);
                    upper.0 = top;
                }
            }
            if lower.0 != top + 1 {
                self.blend_row(top + 1, &columns, &mut lower.1);
                lower.0 = top + 1;
            }
            let blended = upper.1.chunks_exact(3).zip(lower.1.chunks_exact(3));
            for ((texel, column), (above, below)) in row.chunks_exact_mut(3).zip(&columns).zip(blended) {
                if column.is_some() {
                    for c in 0..3 {
                        texel[c] = self.blend(above[c], below[c], fy);
                    }
                }
            }
        }
    }

    /// Source row `row` sampled at the columns' points, blended horizontally.
    fn blend_row(&self, row: usize, columns: &[Option<(usize, f32)>], into: &mut [f32]) {
        let line = &self.pixels[row * self.stride..(row + 1) * self.stride];
        for (column, blended) in columns.iter().zip(into.chunks_exact_mut(3)) {
            if let Some((left, fx)) = *column {
                let pair = &line[left * 3..left * 3 + 6];
                for c in 0..3 {
                    let (a, b) = (f32::from(pair[c]), f32::from(pair[c + 3]));
                    blended[c] = a + (b - a) * fx;
                }
            }
        }
    }
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

    #[test]
    fn the_unrotated_fast_path_gives_the_general_warps_tensor() {
        let image = RgbImage::from_fn(37, 23, |x, y| Rgb([(x * 7 + y) as u8, (y * 11) as u8, ((x * y) % 251) as u8]));
        let rois = [
            SquareRoi::letterbox(37, 23),
            SquareRoi::centered(10.3, 8.7, 9.1),
            SquareRoi::centered(30.0, 20.0, 50.0),
            SquareRoi::centered(-5.0, 2.0, 12.0),
            SquareRoi::centered(18.5, 11.5, 3.0),
        ];
        for border in [Border::Zero, Border::Replicate] {
            for roi in &rois {
                for size in [1, 5, 16, 40] {
                    let spec = TensorSpec { size, low: -1.0, high: 1.0, border };
                    let sampler = Sampler::new(&image, &spec);
                    let n = size as usize;
                    let (mut fast, mut general) = (vec![spec.low; n * n * 3], vec![spec.low; n * n * 3]);
                    sampler.axis_aligned(roi, n, &mut fast);
                    sampler.rotated(roi, n, &mut general);
                    assert_eq!(fast, general, "{roi:?} size {size} {border:?}");
                }
            }
        }
    }
}
