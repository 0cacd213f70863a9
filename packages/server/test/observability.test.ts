/** Metrics and request logs: after a known sequence of requests, they say exactly what was sent. */
import type { AddressInfo } from 'node:net';

import { createEngine, type Engine } from '@emotion/core';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createApp, type ServerEngine } from '../src/app.js';
import { createLogger } from '../src/request-log.js';
import { dataUrl, gradientPng, HAPPY_FACE, readFace, SAD_FACE } from '@emotion/test-support';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
});
const happy = readFace(HAPPY_FACE);
const sad = readFace(SAD_FACE);

/** Prometheus' text format: `name{labels} value` lines, keyed by name and labels as written. */
function parseMetrics(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    samples.set(match[1]!, Number(match[2]));
  }
  return samples;
}

const post = (app: ReturnType<typeof createApp>, path: string, body: string | Buffer, type: string) =>
  app.request(path, { method: 'POST', headers: { 'Content-Type': type }, body });

describe('GET /metrics', () => {
  it('counts exactly the requests sent: by route and status, durations, inference, faces, emotions', async () => {
    const app = createApp(engine, { webRoot: null, maxQueue: 6 });
    const predictBody = (image: Buffer) => JSON.stringify({ image: dataUrl(image) });
    expect((await post(app, '/predict', predictBody(happy), 'application/json')).status).toBe(200);
    expect((await post(app, '/predict', predictBody(happy), 'application/json')).status).toBe(200);
    expect((await post(app, '/predict', predictBody(sad), 'application/json')).status).toBe(200);
    expect((await post(app, '/predict', '{}', 'application/json')).status).toBe(400);
    expect((await post(app, '/v1/analyze', happy, 'image/jpeg')).status).toBe(200);
    expect((await post(app, '/v1/analyze', gradientPng(), 'image/png')).status).toBe(200);
    expect((await app.request('/health')).status).toBe(200);

    const response = await app.request('/metrics');
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const m = parseMetrics(await response.text());
    expect(m.get('emotion_http_requests_total{method="POST",route="/predict",status="200"}')).toBe(3);
    expect(m.get('emotion_http_requests_total{method="POST",route="/predict",status="400"}')).toBe(1);
    expect(m.get('emotion_http_requests_total{method="POST",route="/v1/analyze",status="200"}')).toBe(2);
    expect(m.get('emotion_http_requests_total{method="GET",route="/health",status="200"}')).toBe(1);
    expect(m.get('emotion_http_request_duration_seconds_count{method="POST",route="/predict"}')).toBe(4);
    expect(m.get('emotion_http_request_duration_seconds_count{method="POST",route="/v1/analyze"}')).toBe(2);
    expect(m.get('emotion_inference_duration_seconds_count{operation="predict"}')).toBe(3);
    expect(m.get('emotion_inference_duration_seconds_count{operation="analyze"}')).toBe(2);
    expect(m.get('emotion_inference_duration_seconds_sum{operation="analyze"}')).toBeGreaterThan(0);
    expect(m.get('emotion_faces_per_image_count')).toBe(2);
    expect(m.get('emotion_faces_per_image_sum')).toBe(1);
    expect(m.get('emotion_faces_per_image_bucket{le="0"}')).toBe(1);
    expect(m.get('emotion_emotions_total{operation="predict",label="HAPPY"}')).toBe(2);
    expect(m.get('emotion_emotions_total{operation="predict",label="SAD"}')).toBe(1);
    expect(m.get('emotion_emotions_total{operation="analyze",label="happy"}')).toBe(1);
    expect(m.get('emotion_admission_in_flight')).toBe(0);
    expect(m.get('emotion_admission_limit')).toBe(6);
    expect(m.get('emotion_engine_load_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('counts 503s, 429s and 401s, and shows the queue while it is full', async () => {
    // The real engine behind a gate the test opens, so the one slot stays taken meanwhile.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const gated: ServerEngine = {
      analyze: async (...args) => {
        await gate;
        return engine.analyze(...args);
      },
      dominantEmotion: async (...args) => {
        await gate;
        return engine.dominantEmotion(...args);
      },
    };
    const key = 'metrics-test-key-0123456789';
    const { apiKeys } = (await import('../src/config.js')).readSettings({ API_KEYS: key });
    const app = createApp(gated, {
      webRoot: null,
      maxQueue: 1,
      apiKeys,
      rateLimit: { perSecond: 0.001, burst: 2, text: '3.6/hour' },
    });
    const auth = { 'X-API-Key': key };
    const first = app.request('/v1/analyze', {
      method: 'POST',
      headers: { 'Content-Type': 'image/jpeg', ...auth },
      body: happy,
    });
    let depth = 0;
    for (let i = 0; i < 100 && depth === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
      depth = parseMetrics(await (await app.request('/metrics', { headers: auth })).text()).get(
        'emotion_admission_in_flight',
      )!;
    }
    expect(depth).toBe(1);
    const busy = await app.request('/v1/analyze', {
      method: 'POST',
      headers: { 'Content-Type': 'image/jpeg', ...auth },
      body: happy,
    });
    expect(busy.status).toBe(503);
    open();
    expect((await first).status).toBe(200);
    const limited = await app.request('/v1/analyze', { method: 'POST', headers: { ...auth }, body: '' });
    expect(limited.status).toBe(429);
    expect((await app.request('/v1/analyze', { method: 'POST' })).status).toBe(401);

    const m = parseMetrics(await (await app.request('/metrics', { headers: auth })).text());
    expect(m.get('emotion_server_busy_total')).toBe(1);
    expect(m.get('emotion_rate_limited_total')).toBe(1);
    expect(m.get('emotion_unauthorized_total')).toBe(1);
    expect(m.get('emotion_http_requests_total{method="POST",route="/v1/*",status="429"}')).toBe(1);
    expect(m.get('emotion_admission_in_flight')).toBe(0);
  });
});

describe('request logs', () => {
  const lines: string[] = [];
  let url = '';
  let close: () => void;

  beforeAll(async () => {
    const logger = createLogger('json', 'info', { destination: { write: (line: string) => lines.push(line) } });
    const app = createApp(engine, { webRoot: null, logger });
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  afterAll(() => close());

  /** The lines logged so far, once `count` are there (a line is written when its answer is sent). */
  async function logged(count: number): Promise<Record<string, unknown>[]> {
    for (let i = 0; i < 200 && lines.length < count; i++) await new Promise((r) => setTimeout(r, 10));
    return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  it('one JSON line per request: id, route, status, duration, bytes, faces, client; never the image', async () => {
    lines.length = 0;
    const body = JSON.stringify({ image: dataUrl(happy) });
    const answer = await fetch(`${url}/v1/analyze`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'trace-42_a' },
      body,
    });
    expect(answer.headers.get('x-request-id')).toBe('trace-42_a');
    const answerBytes = (await answer.arrayBuffer()).byteLength;
    const refused = await fetch(`${url}/predict`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: 'hi',
    });
    const generated = refused.headers.get('x-request-id');
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);

    const [first, second, ...rest] = await logged(2);
    expect(rest).toEqual([]);
    expect(first).toMatchObject({
      level: 30,
      msg: 'request',
      reqId: 'trace-42_a',
      method: 'POST',
      route: '/v1/analyze',
      path: '/v1/analyze',
      status: 200,
      bytesIn: Buffer.byteLength(body),
      faces: 1,
      client: '127.0.0.1',
    });
    expect(typeof first!.ms).toBe('number');
    // On the wire: the body, the status line and the headers.
    expect(first!.bytesOut).toBeGreaterThan(answerBytes + 100);
    expect(first!.bytesOut).toBeLessThan(answerBytes + 1500);
    expect(new Date(first!.time as string).getTime()).toBeGreaterThan(0);
    expect(second).toMatchObject({ reqId: generated, route: '/predict', status: 415, bytesIn: 2 });
    expect(second!.faces).toBeUndefined();
    expect(lines.join('')).not.toContain(happy.toString('base64').slice(0, 40));
  });

  it('replaces an X-Request-Id that could forge a log line', async () => {
    lines.length = 0;
    const answer = await fetch(`${url}/health/live`, { headers: { 'X-Request-Id': 'a"b\\c' } });
    const id = answer.headers.get('x-request-id');
    expect(id).not.toBe('a"b\\c');
    expect((await logged(1))[0]).toMatchObject({ reqId: id, route: '/health/live', status: 200 });
  });
});
