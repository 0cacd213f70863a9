//! Plain geometry in image pixel coordinates (x right, y down; integer coordinates are
//! pixel centres, as in OpenCV and MediaPipe).

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Point {
    pub x: f32,
    pub y: f32,
}

/// Axis-aligned box: top-left corner and size, in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct BoundingBox {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

impl BoundingBox {
    pub fn area(&self) -> f32 {
        self.width.max(0.0) * self.height.max(0.0)
    }

    pub fn center(&self) -> Point {
        Point { x: self.x + self.width / 2.0, y: self.y + self.height / 2.0 }
    }

    pub fn iou(&self, other: &BoundingBox) -> f32 {
        let left = self.x.max(other.x);
        let top = self.y.max(other.y);
        let right = (self.x + self.width).min(other.x + other.width);
        let bottom = (self.y + self.height).min(other.y + other.height);
        let intersection = (right - left).max(0.0) * (bottom - top).max(0.0);
        let union = self.area() + other.area() - intersection;
        if union > 0.0 {
            intersection / union
        } else {
            0.0
        }
    }
}

/// A square region of the image, possibly rotated, that a model sees as its whole input.
/// Maps the model's normalised input coordinates (0..1 on both axes) to image pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SquareRoi {
    pub center: Point,
    pub side: f32,
    /// Radians, clockwise on screen (y points down).
    pub rotation: f32,
}

impl SquareRoi {
    /// The smallest axis-aligned square holding the whole image, centred on it: MediaPipe's
    /// letterboxing when it keeps the aspect ratio.
    pub fn letterbox(width: u32, height: u32) -> Self {
        Self::centered(width as f32 / 2.0, height as f32 / 2.0, width.max(height) as f32)
    }

    pub fn centered(x: f32, y: f32, side: f32) -> Self {
        Self { center: Point { x, y }, side, rotation: 0.0 }
    }

    /// Image pixel position of a point given in the ROI's normalised coordinates.
    pub fn to_image(&self, u: f32, v: f32) -> Point {
        self.mapping()(u, v)
    }

    /// `to_image` with the rotation's sine and cosine computed once: warps call it for every
    /// output pixel, where `sin_cos` alone was a third of the time.
    pub fn mapping(&self) -> impl Fn(f32, f32) -> Point + Send + Sync {
        let (sin, cos) = self.rotation.sin_cos();
        let (center, side) = (self.center, self.side);
        move |u, v| {
            let dx = (u - 0.5) * side;
            let dy = (v - 0.5) * side;
            Point { x: center.x + cos * dx - sin * dy, y: center.y + sin * dx + cos * dy }
        }
    }
}
