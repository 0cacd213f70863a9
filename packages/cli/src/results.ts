/** What `emotion analyze` reports for one image, whatever the output format. */
import type { Box, EmotionLabel, EmotionScore } from '@emotion/core';

export interface FaceRecord {
  box: Box;
  score: number;
  emotion: EmotionLabel;
  /** All seven, most likely first. */
  emotions: EmotionScore[];
}

export interface AnalyzedImage {
  file: string;
  faces: FaceRecord[];
  /** Where --annotate wrote the drawn image. */
  annotated?: string;
}

export interface FailedImage {
  file: string;
  /** The engine's stable code (INVALID_IMAGE, UNSUPPORTED_FORMAT…) or the system's (ENOENT…). */
  error: { code: string; message: string };
}

export type ImageResult = AnalyzedImage | FailedImage;

export const isFailure = (result: ImageResult): result is FailedImage => 'error' in result;

/** Only what the output shows, from the engine's face or a server's answer alike. */
export function toRecord(face: FaceRecord): FaceRecord {
  const { box, score, emotion, emotions } = face;
  return { box, score, emotion, emotions };
}

export function toFailure(file: string, error: unknown): FailedImage {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? (error.message.split('\n', 1)[0] ?? '') : String(error);
  return { file, error: { code: typeof code === 'string' ? code : 'UNKNOWN', message } };
}
