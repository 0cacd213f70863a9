/** The real process: start-up, /health, and graceful shutdown on SIGTERM. */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import { dataUrl, HAPPY_FACE, type RunningServer, readFace, startServer } from '@emotion/test-support';

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
    // One JSON line per request (pino), written once the answer is sent.
    const predictLine = /^\{.*"route":"\/predict".*\}$/m;
    for (let i = 0; i < 100 && !predictLine.test(server.output()); i++) await sleep(20);
    expect(JSON.parse(predictLine.exec(server.output())![0])).toMatchObject({
      msg: 'request',
      method: 'POST',
      status: 200,
      faces: 1,
    });
  });

  it('logs its effective configuration at start-up, without secrets', async () => {
    const key = 'process-test-key-0123456789abcdef';
    server = await startServer({ API_KEYS: key, RATE_LIMIT: '10/s', LOG_REQUESTS: '0' });
    const line = /^\{.*"msg":"emotion server: configuration".*\}$/m.exec(server.output());
    const { settings } = JSON.parse(line![0]) as { settings: Record<string, unknown> };
    expect(settings).toMatchObject({ apiKeys: ['key1'], rateLimit: '10/s, burst 10', logRequests: false });
    expect(server.output()).not.toContain(key);
    expect(server.output()).not.toMatch(/"msg":"request"/); // LOG_REQUESTS=0
  });

  it('refuses to start on a bad setting, naming the variable and what it accepts', async () => {
    await expect(startServer({ RATE_LIMIT: 'fast', LOG_FORMAT: 'xml' })).rejects.toThrow(
      /RATE_LIMIT must be a count per period such as 600\/min[\s\S]*LOG_FORMAT must be one of json, pretty, got "xml"/,
    );
  });

  it('METRICS_PORT moves /metrics to a listener of its own, with the process metrics', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const metricsPort = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));

    server = await startServer({ METRICS_PORT: String(metricsPort), LOG_REQUESTS: '0' });
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(metrics).toMatch(/^emotion_engine_load_seconds \d/m);
  });

  it('on SIGTERM, finishes the request in flight, refuses new ones, exits 0', async () => {
    server = await startServer({ LOG_REQUESTS: '0' });
    // Send the headers and half the body, so the request is surely in flight…
    const { answer, finish } = await startHalfSentPredict(server.port);

    // …then stop the server, and only after that send the rest.
    server.child.kill('SIGTERM');
    await sleep(300);
    await expect(fetch(`${server.url}/health`)).rejects.toThrow(); // no new connections
    expect(server.child.exitCode).toBeNull(); // still waiting for the request
    finish();

    expect(await answer).toEqual({ status: 200, text: '{"emotion":"HAPPY"}\n' });
    expect(await server.exited).toBe(0);
    expect(server.output()).toMatch(/SIGTERM, finishing in-flight requests/);
  });

  it('on SIGTERM with SHUTDOWN_DELAY_MS, /health/ready turns 503 while the request in flight finishes', async () => {
    server = await startServer({ LOG_REQUESTS: '0', SHUTDOWN_DELAY_MS: '3000' });
    expect(await (await fetch(`${server.url}/health/ready`)).json()).toEqual({ status: 'ready' });
    const { answer, finish } = await startHalfSentPredict(server.port);

    server.child.kill('SIGTERM');
    await sleep(300);
    // Still listening, so a load balancer's probe sees the change rather than a refused connection.
    const ready = await fetch(`${server.url}/health/ready`);
    expect([ready.status, await ready.json()]).toEqual([503, { status: 'draining' }]);
    expect((await fetch(`${server.url}/health/live`)).status).toBe(200);
    finish();

    expect(await answer).toEqual({ status: 200, text: '{"emotion":"HAPPY"}\n' });
    expect(await server.exited).toBe(0);
  });
});

/**
 * A `/predict` of a happy face with its headers and half its body sent, so it is surely in
 * flight when this resolves; `finish()` sends the rest, `answer` is what the server says.
 */
async function startHalfSentPredict(
  port: number,
): Promise<{ answer: Promise<{ status: number; text: string }>; finish: () => void }> {
  const body = Buffer.from(JSON.stringify({ image: dataUrl(readFace(HAPPY_FACE)) }));
  let req!: ReturnType<typeof request>;
  const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
    req = request(
      {
        host: '127.0.0.1',
        port,
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
  return { answer, finish: () => req.end(body.subarray(body.length >> 1)) };
}
