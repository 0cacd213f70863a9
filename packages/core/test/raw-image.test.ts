import jpeg from 'jpeg-js';
import { beforeAll, describe, expect, it } from 'vitest';

import { createEngine, type Engine, ImageTooLargeError, InvalidImageError } from '../src/index.js';
import { HAPPY_FACE, makePng, readFace } from '@emotion/test-support';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
});

/** A real face's pixels as RGBA (jpeg-js's layout, a canvas's too) and the same pixels as a lossless PNG. */
function face(): { rgba: Uint8Array; width: number; height: number; png: Buffer } {
  const { data, width, height } = jpeg.decode(readFace(HAPPY_FACE), { useTArray: true });
  const png = makePng(width, height, (x, y) => {
    const i = (y * width + x) * 4;
    return [data[i]!, data[i + 1]!, data[i + 2]!];
  });
  return { rgba: data, width, height, png };
}

function dropAlpha(rgba: Uint8Array): Uint8Array {
  const rgb = new Uint8Array((rgba.length / 4) * 3);
  for (let p = 0; p < rgba.length / 4; p++) rgb.set(rgba.subarray(p * 4, p * 4 + 3), p * 3);
  return rgb;
}

describe('raw pixels', () => {
  it('give exactly the faces the same pixels give as an encoded image', async () => {
    const { rgba, width, height, png } = face();
    const fromPng = await engine.analyze(png);
    expect(fromPng).toHaveLength(1);
    expect(await engine.analyze({ data: rgba, width, height })).toEqual(fromPng);
    expect(await engine.analyze({ data: dropAlpha(rgba), width, height })).toEqual(fromPng);
    // A canvas's ImageData holds a Uint8ClampedArray; a view into a larger buffer works too.
    const padded = new Uint8Array(rgba.length + 16);
    padded.set(rgba, 16);
    const clamped = new Uint8ClampedArray(padded.buffer, 16, rgba.length);
    expect(await engine.analyze({ data: clamped, width, height })).toEqual(fromPng);
    expect(await engine.dominantEmotion({ data: rgba, width, height })).toBe(await engine.dominantEmotion(png));
  });

  it('of the wrong length or size are input errors, not crashes', async () => {
    const { rgba, width, height } = face();
    await expect(engine.analyze({ data: rgba, width: width + 1, height })).rejects.toBeInstanceOf(InvalidImageError);
    await expect(engine.analyze({ data: rgba, width: 0, height })).rejects.toBeInstanceOf(InvalidImageError);
    await expect(engine.analyze({ data: rgba, width: 1.5, height })).rejects.toBeInstanceOf(InvalidImageError);
    await expect(engine.analyze({ data: rgba, width: 40_000, height: 40_000 })).rejects.toBeInstanceOf(
      ImageTooLargeError,
    );
    await expect(engine.analyze({ data: [1, 2, 3] as unknown as Uint8Array, width: 1, height: 1 })).rejects.toThrow(
      TypeError,
    );
  });
});
