//! MediaPipe's weighted non-maximum suppression: overlapping detections are averaged,
//! weighted by score, into the best-scoring one.

use crate::detect::blazeface::Detection;
use crate::geometry::{BoundingBox, Point};

pub fn weighted_nms(mut detections: Vec<Detection>, min_iou: f32) -> Vec<Detection> {
    detections.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut kept = Vec::new();
    let mut remaining = detections;
    while let Some(best) = remaining.first().copied() {
        let (overlapping, rest): (Vec<Detection>, Vec<Detection>) =
            remaining.into_iter().partition(|d| d.bbox.iou(&best.bbox) > min_iou);
        kept.push(weighted_average(&best, &overlapping));
        remaining = rest;
    }
    kept
}

fn weighted_average(best: &Detection, group: &[Detection]) -> Detection {
    let total: f32 = group.iter().map(|d| d.score).sum();
    if group.is_empty() || total <= 0.0 {
        return *best;
    }
    let (mut left, mut top, mut right, mut bottom) = (0.0, 0.0, 0.0, 0.0);
    let mut keypoints = [Point::default(); 6];
    for d in group {
        let w = d.score / total;
        left += d.bbox.x * w;
        top += d.bbox.y * w;
        right += (d.bbox.x + d.bbox.width) * w;
        bottom += (d.bbox.y + d.bbox.height) * w;
        for (sum, k) in keypoints.iter_mut().zip(d.keypoints.iter()) {
            sum.x += k.x * w;
            sum.y += k.y * w;
        }
    }
    Detection {
        bbox: BoundingBox { x: left, y: top, width: right - left, height: bottom - top },
        score: best.score,
        keypoints,
        ears_from_mesh: best.ears_from_mesh,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn det(x: f32, score: f32) -> Detection {
        Detection {
            bbox: BoundingBox { x, y: 0.0, width: 10.0, height: 10.0 },
            score,
            keypoints: [Point { x, y: 0.0 }; 6],
            ears_from_mesh: false,
        }
    }

    #[test]
    fn overlapping_detections_merge_weighted_by_score() {
        let merged = weighted_nms(vec![det(0.0, 0.9), det(1.0, 0.3), det(100.0, 0.6)], 0.3);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].score, 0.9);
        assert!((merged[0].bbox.x - 0.25).abs() < 1e-5);
        assert!((merged[0].keypoints[0].x - 0.25).abs() < 1e-5);
        assert_eq!(merged[1].bbox.x, 100.0);
    }
}
