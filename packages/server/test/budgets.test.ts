/** MAX_IMAGE_PIXELS: checked at start-up, and it reaches the engine of the real process. */
import { describe, expect, it } from 'vitest';

import { readSettings } from '../src/config.js';
import { HAPPY_FACE, readFace, startServer } from '@emotion/test-support';

describe('MAX_IMAGE_PIXELS', () => {
  it("is the engine's default when unset, else a whole number", () => {
    expect(readSettings({}).engine.maxPixels).toBeUndefined();
    expect(readSettings({ MAX_IMAGE_PIXELS: '1000000' }).engine.maxPixels).toBe(1_000_000);
    expect(() => readSettings({ MAX_IMAGE_PIXELS: '16MP' })).toThrow(/MAX_IMAGE_PIXELS must be a whole number/);
  });

  it('refuses larger images with 413 in the real process', { timeout: 60_000 }, async () => {
    const server = await startServer({ LOG_REQUESTS: '0', MAX_IMAGE_PIXELS: String(200 * 200) });
    try {
      const response = await fetch(`${server.url}/v1/analyze`, {
        method: 'POST',
        headers: { 'Content-Type': 'image/jpeg' },
        body: new Uint8Array(readFace(HAPPY_FACE)), // 224 × 224
      });
      expect(response.status).toBe(413);
      expect(await response.json()).toEqual({
        error: 'Image too large: 224x224 = 50176 pixels exceed the limit of 40000',
        code: 'IMAGE_TOO_LARGE',
      });
    } finally {
      server.child.kill('SIGKILL');
    }
  });
});
