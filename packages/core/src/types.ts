/** Public shapes of @emotion/core. */

export interface EngineOptions {
  /** Path of libonnxruntime. Default: ORT_DYLIB_PATH, else the one in `onnxruntime-node`. */
  ortLibrary?: string;
  /** ONNX Runtime threads per model run. Default 1: requests already run in parallel. */
  intraThreads?: number;
  /** Largest accepted width × height. Default 40 000 000. */
  maxPixels?: number;
  /** Largest accepted encoded image in bytes. Default 25 MiB. */
  maxEncodedBytes?: number;
  /** Minimum detector score, 0..1. Default 0.5 (MediaPipe's). */
  minScore?: number;
  /** Width in pixels of the smallest face to look for; 0 skips the small-face pass. Default 48. */
  minFaceSize?: number;
  /** Minimum landmark presence, 0..1. Default 0.5. */
  minPresence?: number;
  /** At most this many faces per image, best first. Default 32. */
  maxFaces?: number;
}

export interface Point {
  x: number;
  y: number;
}

/** Axis-aligned box in image pixels: top-left corner and size. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Face {
  /** The detector's box. */
  box: Box;
  /** The detector's confidence, 0..1. */
  score: number;
  /** The landmark model's confidence that this is a face, 0..1. */
  presence: number;
  /** Six detector keypoints: right eye, left eye, nose tip, mouth, right ear, left ear. */
  keypoints: Point[];
  /** 468 points as x0, y0, z0, x1, … in image pixels (MediaPipe's mesh order). */
  landmarks: Float32Array;
  /** All seven emotions with their probabilities (summing to 1), most likely first. */
  emotions: EmotionScore[];
  /** The most likely emotion. */
  emotion: EmotionLabel;
}

export type EmotionLabel = 'angry' | 'disgust' | 'fear' | 'happy' | 'neutral' | 'sad' | 'surprise';

export interface EmotionScore {
  label: EmotionLabel;
  probability: number;
}

export interface AnnotateOptions {
  /** Also draw the 468 landmarks. Default false. */
  mesh?: boolean;
  /** Encoding of the drawn image. Default 'png'. */
  format?: 'png' | 'jpeg';
}

export interface Annotated {
  faces: Face[];
  /** The encoded image with the faces drawn on it. */
  image: Buffer;
}

/** What the seed service's `/predict` answers. */
export type SeedAnswer = 'HAPPY' | 'SAD' | 'No face detected';
