/** The real process: start-up, /health, and graceful shutdown on SIGTERM. */
import { request } from 'node:http';

import { afterEach, describe, expect, it } from 'vitest';

import { dataUrl, HAPPY_FACE, readFace } from './fixtures.js';
import { startServer, type RunningServer } from './spawn.js';

let server: RunningServer | undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
afterEach(() => {
  if (server && server.child.exitCode === null) server.child.kill('SIGKILL');
  server = undefined;
});

describe('the server process', { timeout: 60_000 }, () => {
  it('listens on PORT, answers /health, serves the page and /predict', async () => {
    server = await startServer({ LOG_REQUESTS: '1', INFERENCE_THREADS: '2', MAX_QUEUE: '5' });
    expect(await (await fetch(`${server.url}/health`)).json()).toEqual({ status: 'ok', inFlight: 0, maxQueue: 5 });
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>emotion');
    const predict = await fetch(`${server.url}/predict`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ image: dataUrl(readFace(HAPPY_FACE)) }),
    });
    expect(await predict.text()).toBe('{"emotion":"HAPPY"}\n');
    // Hono's request log: "--> POST /predict 200 12ms" (coloured or not).
    for (let i = 0; i < 50 && !/--> POST \/predict \S*200/.test(server.output()); i++) await sleep(20);
    expect(server.output()).toMatch(/--> POST \/predict \S*200/);
  });

  it('on SIGTERM, finishes the request in flight, refuses new ones, exits 0', async () => {
    server = await startServer({ LOG_REQUESTS: '0' });
    const body = Buffer.from(JSON.stringify({ image: dataUrl(readFace(HAPPY_FACE)) }));

    // Send the headers and half the body, so the request is surely in flight…
    let req!: ReturnType<typeof request>;
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      req = request(
        {
          host: '127.0.0.1',
          port: server!.port,
          path: '/predict',
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'Content-Length': body.length },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
    });
    req.write(body.subarray(0, body.length >> 1));
    await sleep(300);

    // …then stop the server, and only after that send the rest.
    server.child.kill('SIGTERM');
    await sleep(300);
    await expect(fetch(`${server.url}/health`)).rejects.toThrow(); // no new connections
    expect(server.child.exitCode).toBeNull(); // still waiting for the request
    req.end(body.subarray(body.length >> 1));

    expect(await answer).toEqual({ status: 200, text: '{"emotion":"HAPPY"}\n' });
    expect(await server.exited).toBe(0);
    expect(server.output()).toMatch(/SIGTERM, finishing in-flight requests/);
  });
});
