/** engine.track: live frames in, tracked and smoothed faces out, the newest frame winning. */
import { HAPPY_FACE, readFace, SAD_FACE } from '@emotion/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createEngine, type Engine, type TrackedFrame } from '../src/index.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ threads: 1 });
});
afterAll(async () => {
  await engine.close();
});

async function collect(frames: AsyncIterable<TrackedFrame>): Promise<TrackedFrame[]> {
  const out: TrackedFrame[] = [];
  for await (const frame of frames) out.push(frame);
  return out;
}

describe('engine.track', () => {
  it('keeps one id for a face in view, smooths its emotion and keeps the raw result', async () => {
    const happy = readFace(HAPPY_FACE);
    const sad = readFace(SAD_FACE);
    async function* paced() {
      // Frames 100 ms apart, each awaited, so none is dropped: happy four times, then sad once.
      for (let i = 0; i < 5; i++) {
        yield { image: i < 4 ? happy : sad, timeMs: i * 100 };
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    }
    const frames = await collect(engine.track(paced(), { timeConstantMs: 1000 }));
    expect(frames.map((f) => f.faces.map((face) => face.id))).toEqual([[1], [1], [1], [1], [1]]);
    expect(frames.every((f) => f.dropped === 0)).toBe(true);
    const last = frames.at(-1)?.faces[0];
    // The raw result says sad; one frame of sad after four of happy does not turn the smoothed answer.
    expect(last?.face.emotion).toBe('sad');
    expect(last?.emotion).toBe('happy');
  });

  it('drops stale frames while one is analysed, newest first', async () => {
    const happy = readFace(HAPPY_FACE);
    async function* burst() {
      for (let i = 0; i < 20; i++) yield { image: happy, timeMs: i };
    }
    const frames = await collect(engine.track(burst(), { timeConstantMs: 0 }));
    expect(frames.length).toBeLessThan(20);
    expect(frames.reduce((sum, f) => sum + f.dropped, 0) + frames.length).toBe(20);
    expect(frames.at(-1)?.timeMs).toBe(19);
  });
});
