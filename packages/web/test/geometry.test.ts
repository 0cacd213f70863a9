import { describe, expect, it } from 'vitest';

import { faceCaption } from '@emotion/core/wire';

import { describeCameraError, fitWidth, mirrorBox } from '../src/geometry.js';

describe('web client helpers', () => {
  it('fitWidth downscales to at most maxWidth, keeping the aspect ratio, never upscales', () => {
    expect(fitWidth(1280, 720, 640)).toEqual({ width: 640, height: 360 });
    expect(fitWidth(1920, 1080, 640)).toEqual({ width: 640, height: 360 });
    expect(fitWidth(640, 480, 640)).toEqual({ width: 640, height: 480 });
    expect(fitWidth(320, 240, 640)).toEqual({ width: 320, height: 240 });
  });

  it('mirrorBox flips a box for the selfie view', () => {
    expect(mirrorBox({ x: 10, y: 20, width: 100, height: 50 }, 640)).toEqual({ x: 530, y: 20, width: 100, height: 50 });
  });

  it('a face’s caption shows the top emotion in capitals with its probability, and a track’s id', () => {
    const face = {
      box: { x: 0, y: 0, width: 1, height: 1 },
      score: 0.9,
      presence: 0.99,
      keypoints: [],
      emotion: 'happy' as const,
      emotions: [
        { label: 'happy' as const, probability: 0.914 },
        { label: 'neutral' as const, probability: 0.05 },
      ],
    };
    expect(faceCaption(face)).toBe('HAPPY 91%');
    expect(faceCaption({ ...face, id: 2 })).toBe('#2 HAPPY 91%');
  });

  it('describeCameraError explains a refusal, a missing camera and a busy one', () => {
    const error = (name: string) => Object.assign(new Error('x'), { name });
    expect(describeCameraError(error('NotAllowedError'))).toMatch(/refused/);
    expect(describeCameraError(error('NotFoundError'))).toMatch(/No camera/);
    expect(describeCameraError(error('NotReadableError'))).toMatch(/another application/);
    expect(describeCameraError('odd')).toMatch(/upload a photo/);
  });
});
