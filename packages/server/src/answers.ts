/**
 * What the routes send back about faces, shared by /v1/analyze and /v1/stream, and the part of
 * `@emotion/core`'s engine the routes use.
 */
import type { Engine, Face } from '@emotion/core';
import type { AnalyzeAnswer } from '@emotion/core/wire';

/** What the routes use of `@emotion/core`'s engine; tests may pass a stand-in. */
export type ServerEngine = Pick<Engine, 'analyze' | 'dominantEmotion'>;

/** The body of a /v1/analyze answer (exported for bench/stages-node.mjs). */
export function analyzeAnswer(faces: Face[], landmarks: boolean): AnalyzeAnswer {
  return {
    faces: faces.map((face) => ({
      box: face.box,
      score: face.score,
      presence: face.presence,
      emotion: face.emotion,
      emotions: face.emotions,
      keypoints: face.keypoints,
      // 468 [x, y, z] in image pixels, to 1/100 px: plenty, and a third of the bytes.
      ...(landmarks ? { landmarks: triples(face.landmarks) } : {}),
    })),
  };
}

function triples(points: Float32Array): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let i = 0; i + 2 < points.length; i += 3)
    out.push([round(points[i] ?? 0, 2), round(points[i + 1] ?? 0, 2), round(points[i + 2] ?? 0, 2)]);
  return out;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
