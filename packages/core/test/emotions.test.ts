import { makePng, readFace } from '@emotion/test-support';
import { beforeAll, describe, expect, it } from 'vitest';

import { createEngine, type Engine } from '../src/index.js';

// The HAPPY-vs-SAD accuracy gate on the fixed 200-image sample is crates/core/tests/classifier.rs:
// the same engine call, once.

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
});

describe('emotions', () => {
  it('every face carries all seven emotions, sorted, summing to 1, and its top label', async () => {
    const [face] = await engine.analyze(readFace('happy/45952868.jpg'));
    expect(face).toBeDefined();
    if (!face) return;
    const labels = face.emotions.map((e) => e.label).sort();
    expect(labels).toEqual(['angry', 'disgust', 'fear', 'happy', 'neutral', 'sad', 'surprise']);
    const total = face.emotions.reduce((sum, e) => sum + e.probability, 0);
    expect(total).toBeCloseTo(1, 3);
    const probabilities = face.emotions.map((e) => e.probability);
    expect(probabilities).toEqual([...probabilities].sort((a, b) => b - a));
    expect(face.emotion).toBe(face.emotions[0]?.label);
  });

  it('dominantEmotion picks among the emotions asked for, or all seven', async () => {
    const happy = readFace('happy/45952868.jpg');
    await expect(engine.dominantEmotion(happy, { among: ['happy', 'sad'] })).resolves.toBe('happy');
    await expect(engine.dominantEmotion(happy, { among: ['sad'] })).resolves.toBe('sad');
    const [face] = await engine.analyze(happy);
    await expect(engine.dominantEmotion(happy)).resolves.toBe(face?.emotion);
  });

  it('an image without a face has no dominant emotion', async () => {
    const blank = makePng(160, 120, () => [128, 140, 150]);
    await expect(engine.dominantEmotion(blank, { among: ['happy', 'sad'] })).resolves.toBeNull();
  });

  it('dominantEmotion accepts data URLs like the seed service', async () => {
    const url = `data:image/jpeg;base64,${readFace('happy/45952868.jpg').toString('base64')}`;
    await expect(engine.dominantEmotion(url, { among: ['happy', 'sad'] })).resolves.toBe('happy');
  });

  it('the deprecated predictSeed still answers as the seed service did', async () => {
    await expect(engine.predictSeed(readFace('happy/45952868.jpg'))).resolves.toBe('HAPPY');
    await expect(engine.predictSeed(makePng(160, 120, () => [128, 140, 150]))).resolves.toBe('No face detected');
  });
});
