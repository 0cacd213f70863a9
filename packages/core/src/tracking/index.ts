/**
 * Live video without the engine: faces followed from frame to frame with stable ids and
 * smoothed emotions, and a session's summary (share of time per emotion, dominant emotion,
 * per-face timeline, JSON and CSV). Pure TypeScript with no Node or native import, so a browser
 * page imports it as `@emotion/core/tracking`; `@emotion/core` exports the same.
 */
import { FaceTracker, type TrackerOptions } from './tracker.js';

export {
  type Detection,
  emaWeight,
  FaceTracker,
  iou,
  type Probability,
  type Smoothed,
  type TrackedBox,
  type TrackerOptions,
} from './tracker.js';
export { EMOTION_LABELS, type Sample, type SampleFace, SessionRecorder, type SessionSummary } from './session.js';

/** A tracker whose emotions are averaged over `timeConstantMs` (0: raw values, no smoothing). */
export function createTracker(options: TrackerOptions): FaceTracker {
  return new FaceTracker(options);
}
