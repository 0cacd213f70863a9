import { beforeAll, describe, expect, it } from 'vitest';

import { createEngine, type Engine, type Face } from '../src/index.js';
import { FACE_FILES, makePng, readFace } from './fixtures.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
});

describe('concurrent analysis', () => {
  it('200 concurrent calls equal sequential ones while the event loop keeps ticking', async () => {
    const images = [...FACE_FILES.map(readFace), makePng(64, 64, (x, y) => [x * 4, y * 4, 0])];
    const inputs = Array.from({ length: 200 }, (_, i) => images[i % images.length]!);

    const sequential: Face[][] = [];
    for (const image of images) sequential.push(await engine.analyze(image));

    // A timer that must keep firing while the models run on the thread pool.
    let ticks = 0;
    let longestGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
      ticks++;
    }, 5);
    const started = performance.now();
    const concurrent = await Promise.all(inputs.map((image) => engine.analyze(image)));
    const elapsed = performance.now() - started;
    clearInterval(timer);

    concurrent.forEach((faces, i) => expect(faces).toEqual(sequential[i % images.length]));
    // Generous bounds for a loaded 2-core machine; a blocked loop would tick ~never.
    expect(ticks).toBeGreaterThan(elapsed / 5 / 4);
    expect(longestGap).toBeLessThan(250);
  });
});
