import jpeg from 'jpeg-js';
import { beforeAll, describe, expect, it } from 'vitest';

import { createEngine, type Engine, type Face } from '../src/index.js';
import { FACE_FILES, FACE_SIZE, HAPPY_FACE, makePng, pseudoRandomBytes, readFace } from '@emotion/test-support';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
});

/** A box that frames a 224×224 face crop: most of the image, centred in it. */
function expectSensibleFace(face: Face): void {
  const { x, y, width, height } = face.box;
  expect(width).toBeGreaterThan(FACE_SIZE * 0.5);
  expect(width).toBeLessThan(FACE_SIZE * 1.3);
  expect(height).toBeGreaterThan(FACE_SIZE * 0.5);
  expect(height).toBeLessThan(FACE_SIZE * 1.3);
  const cx = x + width / 2;
  const cy = y + height / 2;
  expect(cx).toBeGreaterThan(FACE_SIZE * 0.25);
  expect(cx).toBeLessThan(FACE_SIZE * 0.75);
  expect(cy).toBeGreaterThan(FACE_SIZE * 0.25);
  expect(cy).toBeLessThan(FACE_SIZE * 0.75);
  expect(face.score).toBeGreaterThanOrEqual(0.5);
  expect(face.presence).toBeGreaterThanOrEqual(0.5);
  expect(face.keypoints).toHaveLength(6);

  expect(face.landmarks).toBeInstanceOf(Float32Array);
  expect(face.landmarks).toHaveLength(468 * 3);
  expect(face.landmarks.every(Number.isFinite)).toBe(true);
  // The mesh lies on the face the detector boxed (allowing for the forehead and chin).
  let inside = 0;
  for (let i = 0; i < 468; i++) {
    const px = face.landmarks[i * 3]!;
    const py = face.landmarks[i * 3 + 1]!;
    const margin = 0.25 * width;
    if (px > x - margin && px < x + width + margin && py > y - margin && py < y + height + margin) inside++;
  }
  expect(inside).toBeGreaterThan(468 * 0.95);
}

describe('faces in real photos', () => {
  it.each(FACE_FILES)('%s has one face with 468 landmarks', async (name) => {
    const faces = await engine.analyze(readFace(name));
    expect(faces.length).toBeGreaterThanOrEqual(1);
    expectSensibleFace(faces[0]!);
  });

  it('accepts a Uint8Array, a data URL and bare base64 alike', async () => {
    const bytes = readFace(FACE_FILES[0]!);
    const expected = await engine.analyze(bytes);
    const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(await engine.analyze(view)).toEqual(expected);
    expect(await engine.analyze(`data:image/jpeg;base64,${bytes.toString('base64')}`)).toEqual(expected);
    expect(await engine.analyze(bytes.toString('base64'))).toEqual(expected);
  });
});

describe('images without a face', () => {
  it('random noise gives []', async () => {
    const noise = pseudoRandomBytes(256 * 256 * 3, 7);
    const png = makePng(256, 256, (x, y) => {
      const i = (y * 256 + x) * 3;
      return [noise[i]!, noise[i + 1]!, noise[i + 2]!];
    });
    expect(await engine.analyze(png)).toEqual([]);
  });

  it('a flat gradient gives []', async () => {
    const png = makePng(320, 240, (x, y) => [x % 256, y % 256, 128]);
    expect(await engine.analyze(png)).toEqual([]);
  });

  it('a 1×1 PNG gives [] without crashing', async () => {
    expect(await engine.analyze(makePng(1, 1, () => [200, 150, 120]))).toEqual([]);
  });
});

describe('the MTCNN small-face pass', () => {
  it('is chosen by an option and finds a 40 px face in a 640×480 frame', async () => {
    const mtcnn = await createEngine({ smallFaceDetector: 'mtcnn', minFaceSize: 28 });
    const face = jpeg.decode(readFace(HAPPY_FACE), { useTArray: true });
    const [size, left, top] = [40, 400, 300];
    const step = face.width / size;
    // The face shrunk by averaging each source block, on a grey frame.
    const frame = makePng(640, 480, (x, y) => {
      if (x < left || x >= left + size || y < top || y >= top + size) return [128, 128, 128];
      const sum = [0, 0, 0];
      let n = 0;
      for (let sy = Math.floor((y - top) * step); sy < Math.floor((y - top + 1) * step); sy++) {
        for (let sx = Math.floor((x - left) * step); sx < Math.floor((x - left + 1) * step); sx++) {
          const i = (sy * face.width + sx) * 4;
          for (let c = 0; c < 3; c++) sum[c]! += face.data[i + c]!;
          n++;
        }
      }
      return [sum[0]! / n, sum[1]! / n, sum[2]! / n].map(Math.round) as [number, number, number];
    });
    const faces = await mtcnn.analyze(frame);
    expect(faces).toHaveLength(1);
    const { x, y, width, height } = faces[0]!.box;
    expect(x + width / 2).toBeGreaterThan(left);
    expect(x + width / 2).toBeLessThan(left + size);
    expect(y + height / 2).toBeGreaterThan(top);
    expect(y + height / 2).toBeLessThan(top + size);
  });
});
