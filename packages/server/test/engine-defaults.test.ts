/**
 * The settings leave the engine's own defaults to the engine; what the settings table says of
 * them must be what a default engine does. One default per side of the napi boundary, checked
 * here against the real engine.
 */
import { createEngine, EmotionError, type Engine } from '@emotion/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { pngClaiming } from '@emotion/test-support';
import { readSettings } from '../src/config.js';
import { DEFAULT_MAX_BODY_BYTES } from '../src/defaults.js';
import { docs } from '../src/settings-parsers.js';
import { SETTINGS } from '../src/settings-schema.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
});
afterAll(() => engine?.close());

const documented = (name: keyof typeof SETTINGS.shape) => docs.get(SETTINGS.shape[name])?.default ?? '';

async function codeOf(input: Buffer): Promise<string | undefined> {
  try {
    await engine.analyze(input);
    return undefined;
  } catch (error) {
    return error instanceof EmotionError ? error.code : String(error);
  }
}

describe("the settings table's engine defaults", () => {
  it('INFERENCE_THREADS: the engine runs as many calls at once as the settings count', () => {
    expect(readSettings({}).inferenceThreads).toBe(engine.threads);
  });

  it("MAX_IMAGE_PIXELS: the documented side is the engine's largest", async () => {
    const [side] = /\d+/.exec(documented('MAX_IMAGE_PIXELS')) ?? [];
    expect(Number(side)).toBeGreaterThan(0);
    expect(await codeOf(pngClaiming(Number(side) + 1, Number(side)))).toBe('IMAGE_TOO_LARGE');
    expect(await codeOf(pngClaiming(Number(side), Number(side)))).not.toBe('IMAGE_TOO_LARGE');
  });

  it("MAX_BODY_MB: the default body limit is the engine's own limit on an encoded image", async () => {
    expect(documented('MAX_BODY_MB')).toBe(String(DEFAULT_MAX_BODY_BYTES / 1024 / 1024));
    expect(await codeOf(Buffer.alloc(DEFAULT_MAX_BODY_BYTES + 1))).toBe('IMAGE_TOO_LARGE');
    expect(await codeOf(Buffer.alloc(DEFAULT_MAX_BODY_BYTES))).not.toBe('IMAGE_TOO_LARGE');
  });
});
