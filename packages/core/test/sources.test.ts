/** Inputs as users bring them: a file, a stream, an ArrayBuffer, decoded pixels for annotate. */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';

import { facesDir, HAPPY_FACE, readFace } from '@emotion/test-support';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createEngine, type Engine, type Face, ImageTooLargeError } from '../src/index.js';

const bytes = readFace(HAPPY_FACE);
let engine: Engine;
let expected: Face[];

beforeAll(async () => {
  engine = await createEngine({ threads: 1 });
  expected = await engine.analyze(bytes);
  expect(expected[0]?.emotion).toBe('happy');
});
afterAll(async () => {
  await engine.close();
});

describe('image sources', () => {
  it('{ path } reads the file; a string is still base64, as the seed contract has it', async () => {
    expect(await engine.analyze({ path: join(facesDir, HAPPY_FACE) })).toEqual(expected);
    await expect(engine.analyze(join(facesDir, HAPPY_FACE))).rejects.toMatchObject({ code: 'INVALID_BASE64' });
    await expect(engine.analyze({ path: join(facesDir, 'no-such.jpg') })).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('an ArrayBuffer and a Readable give the faces their bytes give', async () => {
    const copy = new Uint8Array(bytes).buffer;
    expect(await engine.analyze(copy)).toEqual(expected);
    expect(await engine.analyze(createReadStream(join(facesDir, HAPPY_FACE)))).toEqual(expected);
    expect(await engine.dominantEmotion(Readable.from([bytes.subarray(0, 100), bytes.subarray(100)]))).toBe('happy');
  });

  it('a stream or file past maxEncodedBytes is refused before it is read whole', async () => {
    const small = await createEngine({ threads: 1, maxEncodedBytes: 1000 });
    try {
      let pulled = 0;
      const endless = new Readable({
        read() {
          pulled++;
          this.push(Buffer.alloc(600));
        },
      });
      await expect(small.analyze(endless)).rejects.toBeInstanceOf(ImageTooLargeError);
      expect(pulled).toBeLessThan(10);
      expect(endless.destroyed).toBe(true);
      await expect(small.analyze({ path: join(facesDir, HAPPY_FACE) })).rejects.toBeInstanceOf(ImageTooLargeError);
    } finally {
      await small.close();
    }
  });

  it('annotate takes decoded pixels too, drawing the faces their bytes give', async () => {
    const { data, width, height } = jpeg.decode(bytes, { useTArray: true });
    const fromPixels = await engine.analyzeAnnotated({ data, width, height });
    expect(fromPixels.faces.map((f) => f.emotion)).toEqual(['happy']);
    expect(fromPixels.image.subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it('annotate draws the marks a caller gives: its box in its emotion’s colour, on the pixels given', async () => {
    const { data, width, height } = jpeg.decode(bytes, { useTArray: true });
    const [face] = expected;
    if (!face) throw new Error('no face');
    const drawn = await engine.annotate({ data, width, height }, [{ box: face.box, emotion: 'sad', text: '#7 SAD' }], {
      format: 'jpeg',
    });
    const image = jpeg.decode(drawn, { useTArray: true });
    expect([image.width, image.height]).toEqual([width, height]);
    // The box's left edge, half-way down: EMOTION_COLOURS.sad (#3d7dd8), give or take JPEG's rounding.
    const x = Math.round(face.box.x) + 1;
    const y = Math.round(face.box.y + face.box.height / 2);
    const at = (y * width + x) * 4;
    const [r, g, b] = [image.data[at] ?? 0, image.data[at + 1] ?? 0, image.data[at + 2] ?? 0];
    expect(Math.abs(r - 0x3d) + Math.abs(g - 0x7d) + Math.abs(b - 0xd8)).toBeLessThan(60);
    await expect(engine.annotate({ data, width, height }, [], { format: 'gif' as 'png' })).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
    });
  });
});
