/**
 * The wire contract: what /v1/analyze and /v1/stream send, the seven emotion labels and their
 * colours, and how labels are cased for people. The server sends these shapes, the web page and
 * the CLI read them, and the Rust annotator draws with these colours (crates/core/tests/
 * wire_colours.rs checks it). No runtime dependency, so a browser bundle can import it
 * (`@emotion/core/wire`).
 */
import type { EmotionLabel } from '../native/index.js';

/** The classifier's seven labels, in a fixed order (columns, legends). */
export const EMOTION_LABELS = [
  'angry',
  'disgust',
  'fear',
  'happy',
  'neutral',
  'sad',
  'surprise',
] as const satisfies readonly EmotionLabel[];

/** One colour per emotion: boxes, labels and chart lines, on the page and in annotated files. */
export const EMOTION_COLOURS: Readonly<Record<EmotionLabel, string>> = {
  angry: '#e0413a',
  disgust: '#5aa02c',
  fear: '#9b59b6',
  happy: '#f5b700',
  neutral: '#cfd8dc',
  sad: '#3d7dd8',
  surprise: '#ff7f2a',
};

/** A label as people read it on a label or in a table: `HAPPY`. The one place labels are upper-cased. */
export function labelText<L extends EmotionLabel>(label: L): Uppercase<L> {
  return label.toUpperCase() as Uppercase<L>;
}

/**
 * A face's caption on a drawn box: "HAPPY 92%", or "#2 HAPPY 92%" for a tracked face (its id),
 * from its top emotion and that emotion's probability.
 */
export function faceCaption(face: { id?: number; emotion: EmotionLabel; emotions: readonly WireScore[] }): string {
  const top = face.emotions[0];
  const percent = top ? ` ${Math.round(top.probability * 100)}%` : '';
  const id = face.id === undefined ? '' : `#${face.id} `;
  return `${id}${labelText(face.emotion)}${percent}`;
}

export interface WireBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WireScore {
  label: EmotionLabel;
  probability: number;
}

/** One face of a /v1/analyze answer. */
export interface WireFace {
  box: WireBox;
  /** The detector's confidence, 0..1. */
  score: number;
  /** The landmark model's face presence, 0..1. */
  presence: number;
  emotion: EmotionLabel;
  /** All seven, best first. */
  emotions: WireScore[];
  /** The detector's six keypoints. */
  keypoints: { x: number; y: number }[];
  /** With `?landmarks=1`: 468 `[x, y, z]` in image pixels. */
  landmarks?: [number, number, number][];
}

/** The body of a /v1/analyze answer. */
export interface AnalyzeAnswer {
  faces: WireFace[];
}

/** A face on the stream: `emotion`/`emotions` smoothed over time, the frame's own values in `raw`. */
export interface StreamFace extends WireFace {
  /** The track's id, stable from frame to frame on one connection. */
  id: number;
  raw: { emotion: EmotionLabel; emotions: WireScore[] };
}

/** What the server sends on /v1/stream (docs/stream.md). */
export type StreamMessage =
  | { type: 'ready'; tau: number; landmarks: boolean }
  | {
      type: 'faces';
      frame: number;
      /** Frames replaced by a newer one before their turn, so far. */
      dropped: number;
      /** Answers not sent because the client had not read the earlier ones, so far. */
      answersDropped: number;
      latencyMs: number;
      faces: StreamFace[];
    }
  | {
      type: 'error';
      frame?: number;
      code: string;
      message: string;
      /** With RATE_LIMITED: seconds until a frame will be analysed again. */
      retryAfter?: number;
    };
