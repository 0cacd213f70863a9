import { FACE_FILES, makePng, readFace } from '@emotion/test-support';
import { beforeAll, describe, expect, it } from 'vitest';

import { createEngine, type Engine, type Face } from '../src/index.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
});

describe('concurrent analysis', () => {
  it('60 concurrent calls equal sequential ones, and the event loop runs while they work', async () => {
    const images = [...FACE_FILES.map(readFace), makePng(64, 64, (x, y) => [x * 4, y * 4, 0])];
    const inputs = Array.from({ length: 60 }, (_, i) => images[i % images.length] ?? Buffer.alloc(0));

    const sequential: Face[][] = [];
    for (const image of images) sequential.push(await engine.analyze(image));

    let settled = 0;
    const concurrent = Promise.all(inputs.map((image) => engine.analyze(image).finally(() => settled++)));
    // A model run on the event loop would finish every call before this timer could fire.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(settled).toBeLessThan(inputs.length);

    for (const [i, faces] of (await concurrent).entries()) expect(faces).toEqual(sequential[i % images.length]);
  });
});
