/**
 * Slow and stalled clients against the real process, with the HTTP timeouts shortened so the
 * test is quick: many half-sent requests do not stop valid ones from being served, and each
 * stalled socket is answered 408 and closed once its timeout has passed.
 */
import { connect, type Socket } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readSettings } from '../src/config.js';

const httpTimeouts = (env: Record<string, string>) => readSettings(env).httpTimeouts;
import { dataUrl, HAPPY_FACE, type RunningServer, readFace, startServer } from '@emotion/test-support';

const HEADERS_TIMEOUT_MS = 1_000;
const REQUEST_TIMEOUT_MS = 2_000;
const KEEP_ALIVE_TIMEOUT_MS = 500;
const STALLED = 150;

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({
    LOG_REQUESTS: '0',
    HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
    REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_TIMEOUT_MS),
  });
}, 60_000);
afterAll(() => {
  server?.child.kill('SIGKILL');
});

interface Stalled {
  socket: Socket;
  /** What the server sent before closing, and when it closed (ms after the request began). */
  closed: Promise<{ text: string; afterMs: number }>;
}

function stall(what: string): Stalled {
  const started = Date.now();
  const socket = connect(server.port, '127.0.0.1', () => socket.write(what));
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  socket.on('error', () => {}); // a reset counts as closed too
  const closed = new Promise<{ text: string; afterMs: number }>((resolve) =>
    socket.once('close', () => resolve({ text, afterMs: Date.now() - started })),
  );
  return { socket, closed };
}

async function predictHappy(): Promise<string> {
  const response = await fetch(`${server.url}/predict`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ image: dataUrl(readFace(HAPPY_FACE), 'image/jpeg') }),
  });
  return response.text();
}

describe('HTTP timeout settings', () => {
  it('default to 10 s for headers, 30 s per request, 5 s keep-alive', () => {
    expect(httpTimeouts({})).toEqual({
      headersTimeout: 10_000,
      requestTimeout: 30_000,
      keepAliveTimeout: 5_000,
      connectionsCheckingInterval: 1_000,
    });
  });

  it('refuse nonsense and a headers timeout longer than the request timeout', () => {
    expect(() => httpTimeouts({ REQUEST_TIMEOUT_MS: '0' })).toThrow(/REQUEST_TIMEOUT_MS must be a whole number/);
    expect(() => httpTimeouts({ HEADERS_TIMEOUT_MS: '10s' })).toThrow(/HEADERS_TIMEOUT_MS/);
    expect(() => httpTimeouts({ HEADERS_TIMEOUT_MS: '5000', REQUEST_TIMEOUT_MS: '4000' })).toThrow(
      /must not exceed REQUEST_TIMEOUT_MS/,
    );
    expect(() => readSettings({ KEEP_ALIVE_TIMEOUT_MS: '-1' })).toThrow(/KEEP_ALIVE_TIMEOUT_MS must be a whole number/);
  });
});

describe('HTTP timeouts', { timeout: 60_000 }, () => {
  it('serves valid requests among stalled ones, and closes the stalled ones with 408', async () => {
    const kinds = [
      '', // connects and sends nothing
      'POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: appl', // headers cut short
      'POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"image":"', // body cut short
    ];
    const stalled = Array.from({ length: STALLED }, (_, i) => stall(kinds[i % kinds.length] ?? ''));

    // Served while every stalled socket is still open.
    expect(await predictHappy()).toBe('{"emotion":"HAPPY"}\n');
    expect(await predictHappy()).toBe('{"emotion":"HAPPY"}\n');

    const outcomes = await Promise.all(stalled.map((s) => s.closed));
    for (const [i, { text, afterMs }] of outcomes.entries()) {
      // Closed by the server, not before the timeout that applies to it.
      const timeout = i % kinds.length === 2 ? REQUEST_TIMEOUT_MS : HEADERS_TIMEOUT_MS;
      expect(afterMs, `socket ${i}`).toBeGreaterThanOrEqual(timeout);
      if (text !== '') expect(text, `socket ${i}`).toMatch(/^HTTP\/1\.1 408 /);
    }
    expect(await predictHappy()).toBe('{"emotion":"HAPPY"}\n');
  });

  it('closes an idle keep-alive connection after KEEP_ALIVE_TIMEOUT_MS', async () => {
    const request = 'GET /health HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n';
    const { closed } = stall(request);
    const { text, afterMs } = await closed;
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    expect(afterMs).toBeGreaterThanOrEqual(KEEP_ALIVE_TIMEOUT_MS);
  });
});
