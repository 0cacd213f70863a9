import { beforeAll, describe, expect, it } from 'vitest';

import { createEngine, type Engine } from '../src/index.js';
import { makePng, readFace } from './fixtures.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
});

describe('emotions', () => {
  it('every face carries all seven emotions, sorted, summing to 1, and its top label', async () => {
    const [face] = await engine.analyze(readFace('happy/45952868.jpg'));
    expect(face).toBeDefined();
    const labels = face!.emotions.map((e) => e.label).sort();
    expect(labels).toEqual(['angry', 'disgust', 'fear', 'happy', 'neutral', 'sad', 'surprise']);
    const total = face!.emotions.reduce((sum, e) => sum + e.probability, 0);
    expect(total).toBeCloseTo(1, 3);
    const probabilities = face!.emotions.map((e) => e.probability);
    expect(probabilities).toEqual([...probabilities].sort((a, b) => b - a));
    expect(face!.emotion).toBe(face!.emotions[0]!.label);
  });

  it('an image without a face answers "No face detected"', async () => {
    const blank = makePng(160, 120, () => [128, 140, 150]);
    await expect(engine.predictSeed(blank)).resolves.toBe('No face detected');
  });

  it('predictSeed accepts data URLs like the seed service', async () => {
    const url = `data:image/jpeg;base64,${readFace('happy/45952868.jpg').toString('base64')}`;
    await expect(engine.predictSeed(url)).resolves.toBe('HAPPY');
  });
});
