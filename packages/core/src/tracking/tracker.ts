/**
 * Faces followed from frame to frame of a live stream: each detection is matched to the track
 * whose last box overlaps it most (intersection over union), so a face keeps one id while it
 * moves; its probabilities are an exponential moving average with time constant `tau`, so a
 * single odd frame barely moves the answer while a lasting change wins within a few `tau`.
 * Pure: no clock (the caller passes frame times), no I/O.
 */

export interface TrackedBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Probability {
  label: string;
  probability: number;
}

export interface Detection {
  box: TrackedBox;
  /** The classifier's raw probabilities for this frame, any order. */
  emotions: Probability[];
}

export interface Smoothed {
  /** Stable while the face stays in view: 1, 2, 3… in order of first appearance. */
  id: number;
  /** The most likely emotion after smoothing. */
  emotion: string;
  /** Smoothed probabilities, most likely first; they still sum to 1. */
  emotions: Probability[];
}

export interface TrackerOptions {
  /** Time constant of the moving average, ms; 0 turns smoothing off. */
  timeConstantMs: number;
  /** A detection continues a track when their boxes' IoU is at least this. Default 0.3. */
  minOverlap?: number;
  /**
   * A track missing from at least one frame and unseen for this long is forgotten, ms. Default
   * 1000. Both conditions: a face in every frame keeps its id however slowly frames come.
   */
  forgetAfterMs?: number;
}

interface Track {
  id: number;
  box: TrackedBox;
  lastSeen: number;
  /** Frames in a row this track was not matched in. */
  missed: number;
  probabilities: Map<string, number>;
}

export class FaceTracker {
  private tracks: Track[] = [];
  private nextId = 1;
  private readonly minOverlap: number;
  private readonly forgetAfterMs: number;

  constructor(private readonly options: TrackerOptions) {
    this.minOverlap = options.minOverlap ?? 0.3;
    this.forgetAfterMs = options.forgetAfterMs ?? 1000;
  }

  /** The detections of the frame taken at `timeMs`, in their order, each with its track. */
  update(detections: Detection[], timeMs: number): Smoothed[] {
    this.tracks = this.tracks.filter((track) => track.missed === 0 || timeMs - track.lastSeen <= this.forgetAfterMs);
    const assigned = this.match(detections);
    const matched = new Set(assigned.values());
    for (const track of this.tracks) if (!matched.has(track)) track.missed++;
    return detections.map((detection, index) => {
      let track = assigned.get(index);
      const raw = new Map(detection.emotions.map((e) => [e.label, e.probability]));
      if (!track) {
        track = { id: this.nextId++, box: detection.box, lastSeen: timeMs, missed: 0, probabilities: raw };
        this.tracks.push(track);
      } else {
        const weight = emaWeight(timeMs - track.lastSeen, this.options.timeConstantMs);
        for (const [label, value] of raw) {
          const previous = track.probabilities.get(label) ?? value;
          track.probabilities.set(label, previous + weight * (value - previous));
        }
        track.box = detection.box;
        track.lastSeen = timeMs;
        track.missed = 0;
      }
      const emotions = [...track.probabilities]
        .map(([label, probability]) => ({ label, probability }))
        .sort((a, b) => b.probability - a.probability);
      return { id: track.id, emotion: emotions[0]?.label ?? 'neutral', emotions };
    });
  }

  /** Greedy matching, best overlap first: detection index → the track it continues. */
  private match(detections: Detection[]): Map<number, Track> {
    const pairs: { detection: number; track: Track; overlap: number }[] = [];
    detections.forEach((detection, index) => {
      for (const track of this.tracks) {
        const overlap = iou(detection.box, track.box);
        if (overlap >= this.minOverlap) pairs.push({ detection: index, track, overlap });
      }
    });
    pairs.sort((a, b) => b.overlap - a.overlap);
    const assigned = new Map<number, Track>();
    const taken = new Set<Track>();
    for (const { detection, track } of pairs) {
      if (assigned.has(detection) || taken.has(track)) continue;
      assigned.set(detection, track);
      taken.add(track);
    }
    return assigned;
  }
}

/**
 * The weight of a new sample after `elapsedMs`: 1 − e^(−Δt/τ). Frames arriving irregularly
 * are weighed by the time they cover, so smoothing means the same at 5 and at 30 fps.
 */
export function emaWeight(elapsedMs: number, timeConstantMs: number): number {
  if (timeConstantMs <= 0) return 1;
  return 1 - Math.exp(-Math.max(0, elapsedMs) / timeConstantMs);
}

export function iou(a: TrackedBox, b: TrackedBox): number {
  const left = Math.max(a.x, b.x);
  const top = Math.max(a.y, b.y);
  const right = Math.min(a.x + a.width, b.x + b.width);
  const bottom = Math.min(a.y + a.height, b.y + b.height);
  const intersection = Math.max(0, right - left) * Math.max(0, bottom - top);
  const union = a.width * a.height + b.width * b.height - intersection;
  return union > 0 ? intersection / union : 0;
}
