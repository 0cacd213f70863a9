/**
 * MAX_BODY_MB raises the image limit too: an image between the engine's default 25 MiB and
 * MAX_BODY_MB is analysed, on /v1/analyze and as a stream frame, instead of refused as too large.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { makePng, pseudoRandomBytes, type RunningServer, startServer } from '@emotion/test-support';

const MiB = 1024 * 1024;
// Noise does not compress: 3,100 × 3,100 RGB is a PNG of about 28.8 MB, under the pixel limit.
const side = 3_100;
const noise = pseudoRandomBytes(side * side * 3);
const big = makePng(side, side, (x, y) => {
  const i = (y * side + x) * 3;
  return [noise[i] ?? 0, noise[i + 1] ?? 0, noise[i + 2] ?? 0];
});

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ LOG_REQUESTS: '0', MAX_BODY_MB: '40', REQUEST_TIMEOUT_MS: '120000' });
});
afterAll(() => server?.child.kill('SIGKILL'));

describe('MAX_BODY_MB above 25', { timeout: 120_000 }, () => {
  it('is the size of image the engine takes', () => {
    expect(big.length).toBeGreaterThan(25 * MiB);
    expect(big.length).toBeLessThan(40 * MiB);
  });

  it('analyses an image over 25 MiB on /v1/analyze', async () => {
    const response = await fetch(`${server.url}/v1/analyze`, {
      method: 'POST',
      headers: { 'Content-Type': 'image/png' },
      body: new Uint8Array(big),
    });
    expect(await response.json()).toEqual({ faces: [] });
    expect(response.status).toBe(200);
  });

  it('analyses a stream frame over 25 MiB', async () => {
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/v1/stream`);
    const messages: { type: string; faces?: unknown[]; code?: string }[] = [];
    const answered = new Promise<void>((resolve) =>
      socket.on('message', (data) => {
        messages.push(JSON.parse(data.toString()));
        if (messages.length === 2) resolve();
      }),
    );
    await new Promise((resolve) => socket.on('open', resolve));
    socket.send(big);
    await answered;
    socket.close();
    expect(messages[1]).toMatchObject({ type: 'faces', faces: [] });
  });
});
