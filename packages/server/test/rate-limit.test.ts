/** Rate limits: a token bucket per key or per client address, refused with 429 before the body is read. */
import { createEngine, type Engine } from '@emotion/core';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import { createApp } from '../src/app.js';
import { readSettings } from '../src/config.js';
import { memoryBuckets } from '../src/rate-limit.js';
import { dataUrl, HAPPY_FACE, readFace } from '@emotion/test-support';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
});
// Only the clock is fake: the bucket reads Date.now(), the engine's async work runs for real.
beforeEach(() => vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-11-29T12:00:00Z') }));
afterEach(() => vi.useRealTimers());

/** 1 request per second, bursts of 3, as an operator writes it. */
const limit = readSettings({ RATE_LIMIT: '60/min', RATE_LIMIT_BURST: '3' }).rateLimit!;

/** The socket a request came from, as @hono/node-server hands it to the app. */
const from = (address: string) => ({ incoming: { socket: { remoteAddress: address } } });

/** A request that passes the limiter and is answered without inference (400 "No image provided"). */
function cheap(app: ReturnType<typeof createApp>, address = '192.0.2.1', headers: Record<string, string> = {}) {
  return app.request(
    '/predict',
    { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: '{}' },
    from(address),
  );
}

async function statuses(app: ReturnType<typeof createApp>, count: number, address?: string) {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push((await cheap(app, address)).status);
  return out;
}

describe('rate limits', () => {
  it('a burst over the limit gets 429 with Retry-After and the RateLimit headers', async () => {
    const app = createApp(engine, { webRoot: null, rateLimit: limit });
    const allowed = await app.request(
      '/predict',
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ image: dataUrl(readFace(HAPPY_FACE)) }),
      },
      from('192.0.2.1'),
    );
    expect(await allowed.text()).toBe('{"emotion":"HAPPY"}\n');
    expect(allowed.headers.get('ratelimit-limit')).toBe('3');
    expect(allowed.headers.get('ratelimit-remaining')).toBe('2');
    expect(await statuses(app, 2)).toEqual([400, 400]);

    const refused = await cheap(app);
    expect(refused.status).toBe(429);
    expect(await refused.text()).toBe('{"error":"Too many requests"}\n');
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('ratelimit-limit')).toBe('3');
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    expect(refused.headers.get('ratelimit-reset')).toBe('3');

    const v1 = await app.request(
      '/v1/analyze',
      { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: 'x' },
      from('192.0.2.1'),
    );
    expect(v1.status).toBe(429);
    expect(await v1.json()).toEqual({ error: 'Too many requests', code: 'RATE_LIMITED' });
  });

  it('is refused before the body is read: a broken body over the limit is 429, not 400', async () => {
    const app = createApp(engine, { webRoot: null, rateLimit: { ...limit, burst: 1 } });
    await cheap(app);
    const response = await app.request(
      '/predict',
      { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{broken' },
      from('192.0.2.1'),
    );
    expect(response.status).toBe(429);
  });

  it('the bucket refills with time', async () => {
    const app = createApp(engine, { webRoot: null, rateLimit: limit });
    expect(await statuses(app, 4)).toEqual([400, 400, 400, 429]);
    vi.advanceTimersByTime(999);
    expect(await statuses(app, 1)).toEqual([429]);
    vi.advanceTimersByTime(1);
    expect(await statuses(app, 2)).toEqual([400, 429]);
    vi.advanceTimersByTime(60_000); // refills to the burst, no further
    expect(await statuses(app, 4)).toEqual([400, 400, 400, 429]);
  });

  it("one client's burst does not limit another", async () => {
    const app = createApp(engine, { webRoot: null, rateLimit: limit });
    expect(await statuses(app, 4, '192.0.2.1')).toEqual([400, 400, 400, 429]);
    expect(await statuses(app, 3, '198.51.100.7')).toEqual([400, 400, 400]);
  });

  it('X-Forwarded-For counts only when TRUST_PROXY says how many proxies add to it', async () => {
    const spoofed = async (app: ReturnType<typeof createApp>, i: number) =>
      (await cheap(app, '10.0.0.2', { 'X-Forwarded-For': `203.0.113.${i}` })).status;
    const direct = createApp(engine, { webRoot: null, rateLimit: limit });
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push(await spoofed(direct, i));
    expect(seen).toEqual([400, 400, 400, 429]); // one socket, one bucket, whatever the header says

    const proxied = createApp(engine, { webRoot: null, rateLimit: limit, trustProxy: 1 });
    const behindProxy = [];
    for (let i = 0; i < 4; i++) behindProxy.push(await spoofed(proxied, i));
    expect(behindProxy).toEqual([400, 400, 400, 400]);
    // With one proxy only its entry, the last, is trusted: a client's own entries are ignored.
    const forged = [];
    for (let i = 0; i < 4; i++) {
      forged.push((await cheap(proxied, '10.0.0.2', { 'X-Forwarded-For': `6.6.6.${i}, 203.0.113.99` })).status);
    }
    expect(forged).toEqual([400, 400, 400, 429]);
  });

  it('with keys on, the bucket is per key, not per address', async () => {
    const keys = readSettings({ API_KEYS: 'first-key-0123456789,second-key-0123456789' }).apiKeys;
    const app = createApp(engine, { webRoot: null, rateLimit: limit, apiKeys: keys });
    const as = async (key: string) => (await cheap(app, '192.0.2.1', { 'X-API-Key': key })).status;
    const first = [];
    for (let i = 0; i < 4; i++) first.push(await as('first-key-0123456789'));
    expect(first).toEqual([400, 400, 400, 429]);
    expect(await as('second-key-0123456789')).toBe(400);
  });

  it('with keys on, requests without a right key are limited per address: a flood of them gets 429', async () => {
    const keys = readSettings({ API_KEYS: 'first-key-0123456789' }).apiKeys;
    const app = createApp(engine, { webRoot: null, rateLimit: limit, apiKeys: keys });
    const seen = [];
    for (const key of ['wrong-1', 'wrong-2', '', 'wrong-3']) {
      seen.push((await cheap(app, '192.0.2.66', key ? { 'X-API-Key': key } : {})).status);
    }
    expect(seen).toEqual([401, 401, 401, 429]);
    // The right key has a bucket of its own, from the same address.
    expect((await cheap(app, '192.0.2.66', { 'X-API-Key': 'first-key-0123456789' })).status).toBe(400);
  });

  it('forgets buckets that have refilled, so idle callers cost no memory', () => {
    const buckets = memoryBuckets({ perSecond: 1, burst: 2 });
    expect(buckets.takeNow('a', 0).allowed).toBe(true);
    expect(buckets.takeNow('a', 0).allowed).toBe(true);
    expect(buckets.takeNow('a', 0)).toEqual({ allowed: false, remaining: 0, resetSeconds: 2, retryAfterSeconds: 1 });
    expect(buckets.size).toBe(1);
    // 2 s later 'a' is full again, the same as no bucket: a take by anyone sweeps it.
    expect(buckets.takeNow('b', 2000).remaining).toBe(1);
    expect(buckets.size).toBe(1);
    expect(buckets.takeNow('a', 2000).remaining).toBe(1);
    expect(buckets.size).toBe(2);
  });

  it('tracks at most maxBuckets callers, forgetting the oldest', () => {
    const buckets = memoryBuckets({ perSecond: 1, burst: 1 }, 3);
    for (const caller of ['a', 'b', 'c', 'd']) expect(buckets.takeNow(caller, 0).allowed).toBe(true);
    expect(buckets.size).toBe(3);
    expect(buckets.takeNow('d', 0).allowed).toBe(false); // still tracked
    expect(buckets.takeNow('a', 0).allowed).toBe(true); // forgotten, so full again
  });
});
