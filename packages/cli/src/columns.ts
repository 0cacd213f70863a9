/** The CSV columns an image face and a video face share: the box, the score, the seven probabilities. */
import type { Box, EmotionScore } from '@emotion/core';
import { EMOTION_LABELS } from '@emotion/core/wire';

export function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** x, y, width, height to 0.1 px, then the score to 4 digits. */
export function boxColumns(box: Box, score: number): number[] {
  return [round(box.x, 1), round(box.y, 1), round(box.width, 1), round(box.height, 1), round(score, 4)];
}

/** The probabilities in EMOTION_LABELS' order, to 4 digits (0 for a label not given). */
export function byLabel(scores: EmotionScore[]): number[] {
  const probability = new Map(scores.map((score) => [score.label, score.probability]));
  return EMOTION_LABELS.map((label) => round(probability.get(label) ?? 0, 4));
}
