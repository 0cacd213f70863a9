//! MTCNN (Zhang et al., 2016): a cascade of three small networks. A fully convolutional
//! proposal net scans an image pyramid; two more rescore and refine its proposals on 24² and
//! 48² crops. Trained on tight face boxes, it finds the small, tightly cropped faces that
//! BlazeFace's full-range model misses (bench/RESULTS.md, "small faces in group scenes").

use image::RgbImage;

use crate::detect::blazeface::Detection;
use crate::error::Result;
use crate::geometry::{BoundingBox, Point, SquareRoi};
use crate::resize::resized;
use crate::runtime::{output_of_len, run_single_input, ModelPool};
use crate::tensor::{roi_to_tensor, Border, TensorSpec};

/// The networks' input scale: (pixel − 127.5) / 128.
const LOW: f32 = -127.5 / 128.0;
const HIGH: f32 = 127.5 / 128.0;
/// Each stage's minimum face probability, the published cascade's.
const PROPOSAL_MIN: f32 = 0.6;
const REFINE_MIN: f32 = 0.7;
const OUTPUT_MIN: f32 = 0.7;
/// Each pyramid level is this much smaller than the one before.
const PYRAMID_FACTOR: f32 = 0.709;
/// The proposal net's window and stride, in the pixels of its pyramid level.
const WINDOW: f32 = 12.0;
const STRIDE: f32 = 2.0;
/// The largest pyramid level, in pixels: a larger image is scanned from a smaller scale, so
/// its smallest faces found grow past `min_face_size`, as the full-range tiles' budget does.
/// 400,000 keeps the scale for faces from 28 px up to a 1920×1080 frame.
const MAX_LEVEL_PIXELS: f32 = 400_000.0;
/// Most proposals refined, and most refined boxes checked by the last net, per image: textured
/// photos propose hundreds (a median of 164 and a 90th percentile of 742 on the group scenes).
const MAX_REFINED: usize = 512;
const MAX_CHECKED: usize = 128;

pub struct Mtcnn {
    proposal: ModelPool,
    refine: ModelPool,
    output: ModelPool,
}

/// A box in image pixels with its score, the net's offsets for it (fractions of its size) and,
/// from the last net, five points: the eyes, the nose tip and the mouth's corners.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    x1: f32,
    y1: f32,
    x2: f32,
    y2: f32,
    score: f32,
    offsets: [f32; 4],
    points: [Point; 5],
}

impl Candidate {
    fn width(&self) -> f32 {
        self.x2 - self.x1
    }

    fn height(&self) -> f32 {
        self.y2 - self.y1
    }

    fn area(&self) -> f32 {
        self.width().max(0.0) * self.height().max(0.0)
    }

    fn intersection(&self, other: &Candidate) -> f32 {
        let w = self.x2.min(other.x2) - self.x1.max(other.x1);
        let h = self.y2.min(other.y2) - self.y1.max(other.y1);
        w.max(0.0) * h.max(0.0)
    }

    /// The box moved by its offsets.
    fn refined(&self) -> Candidate {
        let (w, h) = (self.width(), self.height());
        let [dx1, dy1, dx2, dy2] = self.offsets;
        Candidate {
            x1: self.x1 + dx1 * w,
            y1: self.y1 + dy1 * h,
            x2: self.x2 + dx2 * w,
            y2: self.y2 + dy2 * h,
            ..*self
        }
    }

    /// The square of the box's longer side around its centre: what the next net looks at.
    fn square(&self) -> SquareRoi {
        let side = self.width().max(self.height());
        SquareRoi::centered((self.x1 + self.x2) / 2.0, (self.y1 + self.y2) / 2.0, side)
    }

    fn from_square(roi: &SquareRoi, score: f32, offsets: [f32; 4]) -> Candidate {
        let half = roi.side / 2.0;
        Candidate {
            x1: roi.center.x - half,
            y1: roi.center.y - half,
            x2: roi.center.x + half,
            y2: roi.center.y + half,
            score,
            offsets,
            points: [Point::default(); 5],
        }
    }
}

/// How overlap is measured when suppressing: over the union, or over the smaller box (the
/// last stage's, which also drops a box lying inside a better one).
#[derive(Clone, Copy)]
enum Overlap {
    Union,
    Smaller,
}

/// Greedy suppression, best first.
fn suppress(mut candidates: Vec<Candidate>, threshold: f32, overlap: Overlap) -> Vec<Candidate> {
    candidates.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut kept: Vec<Candidate> = Vec::new();
    for candidate in candidates {
        let clashes = kept.iter().any(|k| {
            let inter = k.intersection(&candidate);
            let base = match overlap {
                Overlap::Union => k.area() + candidate.area() - inter,
                Overlap::Smaller => k.area().min(candidate.area()),
            };
            base > 0.0 && inter / base > threshold
        });
        if !clashes {
            kept.push(candidate);
        }
    }
    kept
}

/// NHWC (what `roi_to_tensor` writes) to NCHW (what the nets read), for `count` images.
fn to_planar(nhwc: &[f32], count: usize, size: usize) -> Vec<f32> {
    let plane = size * size;
    let mut nchw = vec![0.0; nhwc.len()];
    for n in 0..count {
        let (from, to) = (&nhwc[n * plane * 3..(n + 1) * plane * 3], &mut nchw[n * plane * 3..(n + 1) * plane * 3]);
        for (p, texel) in from.chunks_exact(3).enumerate() {
            for (c, &value) in texel.iter().enumerate() {
                to[c * plane + p] = value;
            }
        }
    }
    nchw
}

impl Mtcnn {
    pub fn new(proposal: ModelPool, refine: ModelPool, output: ModelPool) -> Self {
        Self { proposal, refine, output }
    }

    /// Faces at least about `min_face_size` pixels wide, best first, scoring at least `min_score`.
    pub fn detect(&self, image: &RgbImage, min_face_size: u32, min_score: f32) -> Result<Vec<Detection>> {
        let proposals = self.propose(image, min_face_size)?;
        let mut proposals: Vec<Candidate> =
            suppress(proposals, 0.7, Overlap::Union).iter().map(Candidate::refined).collect();
        proposals.truncate(MAX_REFINED);
        let refined = self.rescore(image, &proposals, 24, REFINE_MIN)?;
        let mut refined: Vec<Candidate> =
            suppress(refined, 0.7, Overlap::Union).iter().map(Candidate::refined).collect();
        refined.truncate(MAX_CHECKED);
        let faces = self.rescore(image, &refined, 48, OUTPUT_MIN.max(min_score))?;
        let faces: Vec<Candidate> = faces.iter().map(Candidate::refined).collect();
        Ok(suppress(faces, 0.7, Overlap::Smaller).iter().map(to_detection).collect())
    }

    /// The proposal net over every pyramid level, suppressed level by level.
    fn propose(&self, image: &RgbImage, min_face_size: u32) -> Result<Vec<Candidate>> {
        let (width, height) = (image.width() as f32, image.height() as f32);
        let mut scale = WINDOW / min_face_size.max(WINDOW as u32) as f32;
        scale = scale.min((MAX_LEVEL_PIXELS / (width * height)).sqrt());
        let mut proposals = Vec::new();
        // Each level is sampled from the one before: a 16 MP image is read once, not once per level.
        let mut previous: Option<RgbImage> = None;
        while width.min(height) * scale >= WINDOW {
            // Sides rounded up, as the published cascade does; a level the resizer refused finds nothing.
            let (w, h) = (((width * scale).ceil() as u32).max(1), ((height * scale).ceil() as u32).max(1));
            let level = resized(previous.as_ref().unwrap_or(image), w, h).unwrap_or_else(|| RgbImage::new(w, h));
            let (w, h) = (w as usize, h as usize);
            let tensor = to_planar_level(&level);
            let (out_w, cells) = proposal_grid(w, h);
            let (probabilities, offsets) = self.proposal.with_session(|session| {
                let mut outputs = run_single_input(session, &tensor, [1, 3, h, w])?;
                let offsets = output_of_len(&mut outputs, cells * 4, "proposal offsets")?;
                let probabilities = output_of_len(&mut outputs, cells * 2, "proposal probabilities")?;
                Ok((probabilities, offsets))
            })?;
            let mut level_proposals = Vec::new();
            for cell in 0..cells {
                let score = probabilities[cells + cell];
                if score <= PROPOSAL_MIN {
                    continue;
                }
                let (x, y) = ((cell % out_w) as f32, (cell / out_w) as f32);
                level_proposals.push(Candidate {
                    x1: ((STRIDE * x + 1.0) / scale).floor(),
                    y1: ((STRIDE * y + 1.0) / scale).floor(),
                    x2: ((STRIDE * x + WINDOW) / scale).floor(),
                    y2: ((STRIDE * y + WINDOW) / scale).floor(),
                    score,
                    offsets: [0, 1, 2, 3].map(|k| offsets[k * cells + cell]),
                    points: [Point::default(); 5],
                });
            }
            proposals.extend(suppress(level_proposals, 0.5, Overlap::Union));
            previous = Some(level);
            scale *= PYRAMID_FACTOR;
        }
        Ok(proposals)
    }

    /// Runs a crop net (`size` 24: refine, 48: output, which also gives five points) on each
    /// candidate's square and keeps those scoring above `min`, with the net's offsets.
    fn rescore(&self, image: &RgbImage, candidates: &[Candidate], size: usize, min: f32) -> Result<Vec<Candidate>> {
        if candidates.is_empty() {
            return Ok(Vec::new());
        }
        let with_points = size == 48;
        let spec = TensorSpec { size: size as u32, low: LOW, high: HIGH, border: Border::Zero };
        let squares: Vec<SquareRoi> = candidates.iter().map(Candidate::square).collect();
        let mut batch = Vec::with_capacity(squares.len() * size * size * 3);
        for roi in &squares {
            batch.extend(roi_to_tensor(image, roi, &spec));
        }
        let n = squares.len();
        let tensor = to_planar(&batch, n, size);
        let pool = if with_points { &self.output } else { &self.refine };
        let (probabilities, offsets, points) = pool.with_session(|session| {
            let mut outputs = run_single_input(session, &tensor, [n, 3, size, size])?;
            let offsets = output_of_len(&mut outputs, n * 4, "box offsets")?;
            let probabilities = output_of_len(&mut outputs, n * 2, "face probabilities")?;
            let points = if with_points { output_of_len(&mut outputs, n * 10, "face points")? } else { Vec::new() };
            Ok((probabilities, offsets, points))
        })?;
        let mut kept = Vec::new();
        for (i, roi) in squares.iter().enumerate() {
            let score = probabilities[i * 2 + 1];
            if score <= min {
                continue;
            }
            let mut candidate = Candidate::from_square(roi, score, [0, 1, 2, 3].map(|k| offsets[i * 4 + k]));
            if with_points {
                let (x1, y1, side) = (candidate.x1, candidate.y1, roi.side);
                candidate.points = [0, 1, 2, 3, 4]
                    .map(|k| Point { x: x1 + points[i * 10 + k] * side, y: y1 + points[i * 10 + 5 + k] * side });
            }
            kept.push(candidate);
        }
        Ok(kept)
    }
}

/// The proposal net's output grid for a `w` × `h` level: its width and its number of cells.
/// (Three 3×3 convolutions and a 2×2 pooling that rounds up: one cell per 12² window, stride 2.)
fn proposal_grid(w: usize, h: usize) -> (usize, usize) {
    let side = |n: usize| n.saturating_sub(2).div_ceil(2).saturating_sub(4);
    (side(w), side(w) * side(h))
}

/// A detection with MediaPipe's keypoint order: the image-left eye (the subject's right), the
/// other eye, the nose tip, the mouth centre; MTCNN gives no ears, so the engine takes them
/// from the face's mesh (`Detection::ears_from_mesh`).
fn to_detection(face: &Candidate) -> Detection {
    let [eye_a, eye_b, nose, mouth_a, mouth_b] = face.points;
    let mouth = Point { x: (mouth_a.x + mouth_b.x) / 2.0, y: (mouth_a.y + mouth_b.y) / 2.0 };
    Detection {
        bbox: BoundingBox { x: face.x1, y: face.y1, width: face.width(), height: face.height() },
        score: face.score,
        keypoints: [eye_a, eye_b, nose, mouth, eye_a, eye_b],
        ears_from_mesh: true,
    }
}

/// A whole pyramid level as the proposal net's NCHW input.
fn to_planar_level(level: &RgbImage) -> Vec<f32> {
    let plane = (level.width() * level.height()) as usize;
    let scale = (HIGH - LOW) / 255.0;
    let mut nchw = vec![0.0; plane * 3];
    for (p, pixel) in level.as_raw().chunks_exact(3).enumerate() {
        for (c, &value) in pixel.iter().enumerate() {
            nchw[c * plane + p] = f32::from(value) * scale + LOW;
        }
    }
    nchw
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(x1: f32, y1: f32, side: f32, score: f32) -> Candidate {
        Candidate { x1, y1, x2: x1 + side, y2: y1 + side, score, offsets: [0.0; 4], points: [Point::default(); 5] }
    }

    #[test]
    fn suppression_keeps_the_best_of_each_overlapping_group() {
        let kept = suppress(
            vec![candidate(0.0, 0.0, 10.0, 0.8), candidate(1.0, 1.0, 10.0, 0.9), candidate(50.0, 0.0, 10.0, 0.7)],
            0.5,
            Overlap::Union,
        );
        assert_eq!(kept.iter().map(|c| c.score).collect::<Vec<_>>(), vec![0.9, 0.7]);
        // A small box inside a big one overlaps little of the union but all of the smaller box.
        let nested = vec![candidate(0.0, 0.0, 40.0, 0.9), candidate(10.0, 10.0, 10.0, 0.8)];
        assert_eq!(suppress(nested.clone(), 0.7, Overlap::Union).len(), 2);
        assert_eq!(suppress(nested, 0.7, Overlap::Smaller).len(), 1);
    }

    #[test]
    fn offsets_move_each_edge_by_a_fraction_of_the_box() {
        let c = Candidate { offsets: [0.1, -0.1, 0.2, 0.0], ..candidate(10.0, 20.0, 10.0, 0.9) };
        let r = c.refined();
        assert_eq!((r.x1, r.y1, r.x2, r.y2), (11.0, 19.0, 22.0, 30.0));
        let square = Candidate { x2: 30.0, ..candidate(10.0, 20.0, 10.0, 0.9) }.square();
        assert_eq!((square.center.x, square.center.y, square.side), (20.0, 25.0, 20.0));
    }

    #[test]
    fn nhwc_becomes_one_plane_per_channel() {
        let nhwc = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0];
        assert_eq!(to_planar(&nhwc, 1, 2), vec![1.0, 4.0, 7.0, 10.0, 2.0, 5.0, 8.0, 11.0, 3.0, 6.0, 9.0, 12.0]);
    }
}
