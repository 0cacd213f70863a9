import { readFileSync } from 'node:fs';

import { beforeAll, describe, expect, it } from 'vitest';

import { createEngine, type Engine } from '../src/index.js';
import { makePng, readFace, repoRoot } from './fixtures.js';

/** Issue 4's fixed sample: models/train/happy_sad_sample.tsv, 100 happy + 100 sad test-split images. */
function happySadSample(): { label: string; path: string }[] {
  const rows = readFileSync(`${repoRoot}/models/train/happy_sad_sample.tsv`, 'utf8').trim().split('\n').slice(1);
  return rows.map((row) => {
    const [label, path] = row.split('\t');
    return { label: label!, path: path! };
  });
}

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

  it('says HAPPY for happy and SAD for sad faces of the fixed test sample, at least 90 % of 200', async () => {
    const sample = happySadSample();
    expect(sample.filter((s) => s.label === 'happy')).toHaveLength(100);
    expect(sample.filter((s) => s.label === 'sad')).toHaveLength(100);
    const answers = await Promise.all(sample.map(({ path }) => engine.predictSeed(readFace(path))));
    const right = answers.filter((answer, i) => answer === sample[i]!.label.toUpperCase()).length;
    expect(right / 200).toBeGreaterThanOrEqual(0.9);
  }, 120_000);
});
