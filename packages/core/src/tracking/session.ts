/**
 * "Record a session": the smoothed emotions seen during a chosen duration, and their summary
 * (share of time per emotion, dominant emotion, per-face timeline) as JSON or CSV. Pure (no DOM,
 * no Node), so the web page, the server and an embedding app share it; nothing is sent anywhere.
 */

import { EMOTION_LABELS } from '../wire.js';

export { EMOTION_LABELS };
type Label = (typeof EMOTION_LABELS)[number];

export interface SampleFace {
  id: number;
  emotion: string;
  emotions: { label: string; probability: number }[];
}

export interface Sample {
  /** Milliseconds since the recording started. */
  t: number;
  faces: SampleFace[];
}

export interface SessionSummary {
  durationMs: number;
  /** Answers recorded. */
  samples: number;
  /** Distinct face ids seen. */
  faces: number[];
  /** Share (0..1) of face-time in which each emotion was the (smoothed) top one. */
  shares: Record<Label, number>;
  /** The emotion with the largest share; null when no face was seen. */
  dominant: Label | null;
  /** Share of the recording with no face in view. */
  noFace: number;
}

export class SessionRecorder {
  readonly samples: Sample[] = [];

  constructor(
    readonly durationMs: number,
    readonly startedAt = new Date(),
  ) {}

  add(t: number, faces: SampleFace[]): void {
    if (t < 0 || t > this.durationMs) return;
    this.samples.push({ t, faces: faces.map(({ id, emotion, emotions }) => ({ id, emotion, emotions })) });
  }

  /** Each sample stands for the time until the next one (the last: until the end). */
  summary(endMs = this.durationMs): SessionSummary {
    const time = new Map<string, number>();
    let faceTime = 0;
    let noFaceTime = 0;
    const ids = new Set<number>();
    this.samples.forEach((sample, index) => {
      const next = this.samples[index + 1]?.t ?? endMs;
      const span = Math.max(0, next - sample.t);
      if (sample.faces.length === 0) noFaceTime += span;
      for (const face of sample.faces) {
        ids.add(face.id);
        time.set(face.emotion, (time.get(face.emotion) ?? 0) + span);
        faceTime += span;
      }
    });
    const shares = Object.fromEntries(
      EMOTION_LABELS.map((label) => [label, faceTime > 0 ? (time.get(label) ?? 0) / faceTime : 0]),
    ) as Record<Label, number>;
    const ranked = [...EMOTION_LABELS].sort((a, b) => shares[b] - shares[a]);
    const covered = endMs - (this.samples[0]?.t ?? endMs);
    return {
      durationMs: endMs,
      samples: this.samples.length,
      faces: [...ids].sort((a, b) => a - b),
      shares,
      dominant: faceTime > 0 ? (ranked[0] ?? null) : null,
      noFace: covered > 0 ? noFaceTime / covered : 0,
    };
  }

  /** Each face's timeline: when it was seen and its (smoothed) top emotion then, by face id. */
  timelines(): { id: number; points: { t: number; emotion: string }[] }[] {
    const byId = new Map<number, { t: number; emotion: string }[]>();
    for (const sample of this.samples) {
      for (const face of sample.faces) {
        const points = byId.get(face.id) ?? [];
        points.push({ t: sample.t, emotion: face.emotion });
        byId.set(face.id, points);
      }
    }
    return [...byId].sort(([a], [b]) => a - b).map(([id, points]) => ({ id, points }));
  }

  toJson(endMs = this.durationMs): string {
    return JSON.stringify(
      { startedAt: this.startedAt.toISOString(), summary: this.summary(endMs), samples: this.samples },
      null,
      2,
    );
  }

  /** One row per face per answer: time, face id, top emotion, the seven probabilities. */
  toCsv(): string {
    const rows = [['t_ms', 'face', 'emotion', ...EMOTION_LABELS].join(',')];
    for (const sample of this.samples) {
      for (const face of sample.faces) {
        const probability = new Map(face.emotions.map((e) => [e.label, e.probability]));
        const values = EMOTION_LABELS.map((label) => (probability.get(label) ?? 0).toFixed(4));
        rows.push([Math.round(sample.t), face.id, face.emotion, ...values].join(','));
      }
    }
    return `${rows.join('\n')}\n`;
  }
}
