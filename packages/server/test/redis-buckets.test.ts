/**
 * Buckets in a real Redis (Debian's redis-server, started here): the same answers as the
 * in-memory buckets, atomic across clients, and what happens when Redis stops or stalls.
 */
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { describeSettings, readSettings } from '../src/config.js';
import { ServerBusyError } from '../src/errors.js';
import { memoryBuckets } from '../src/rate-limit.js';
import { type RedisBuckets, type RedisStoreSettings, redisBuckets } from '../src/redis-buckets.js';
import { redisAvailable, type TestRedis, testRedis } from './redis-server.js';

const haveRedis = redisAvailable('Redis bucket tests');

let redis: TestRedis | undefined;
const stores: RedisBuckets[] = [];
let run = 0;

beforeAll(async () => {
  if (haveRedis) redis = await testRedis();
});
afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await redis?.stop();
});

function store(
  limit: { perSecond: number; burst: number },
  settings: Partial<RedisStoreSettings> = {},
  options: Parameters<typeof redisBuckets>[2] = {},
): RedisBuckets {
  const made = redisBuckets(
    limit,
    { url: redis!.url, password: undefined, timeoutMs: 100, onFailure: 'local', ...settings },
    { keyPrefix: `test${run}:`, ...options },
  );
  stores.push(made);
  return made;
}

async function gaugeValue(registry: Registry, name: string, labels = ''): Promise<number | undefined> {
  const text = await registry.metrics();
  const match = new RegExp(`^${name}${labels.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : undefined;
}

describe('RATE_LIMIT_STORE settings', () => {
  it('default: buckets in memory; a redis:// URL with its companions; the password never shown', () => {
    expect(readSettings({ RATE_LIMIT: '10/s' }).rateLimitStore).toBeUndefined();
    const settings = readSettings({
      RATE_LIMIT: '10/s',
      RATE_LIMIT_STORE: 'redis://:url-secret-5f2a@redis.internal:6380/2',
      RATE_LIMIT_STORE_PASSWORD: 'env-secret-9c1d',
      RATE_LIMIT_STORE_TIMEOUT_MS: '250',
      RATE_LIMIT_STORE_FAILURE: 'closed',
    });
    expect(settings.rateLimitStore).toEqual({
      url: 'redis://:url-secret-5f2a@redis.internal:6380/2',
      password: 'env-secret-9c1d',
      timeoutMs: 250,
      onFailure: 'closed',
    });
    const shown = JSON.stringify(describeSettings(settings));
    expect(shown).toContain('redis.internal:6380');
    expect(shown).not.toContain('url-secret-5f2a');
    expect(shown).not.toContain('env-secret-9c1d');
    expect(readSettings({ RATE_LIMIT: '1/s', RATE_LIMIT_STORE: 'redis://r:6379' }).rateLimitStore).toMatchObject({
      timeoutMs: 100,
      onFailure: 'local',
    });
  });

  it.each([
    [{ RATE_LIMIT: '1/s', RATE_LIMIT_STORE: 'memcached://x:1' }, /RATE_LIMIT_STORE must be memory or a redis:\/\//],
    [{ RATE_LIMIT: '1/s', RATE_LIMIT_STORE: 'redis://:pw-hidden@' }, /RATE_LIMIT_STORE must be/],
    [{ RATE_LIMIT_STORE: 'redis://r:6379' }, /RATE_LIMIT_STORE needs RATE_LIMIT/],
    [{ RATE_LIMIT: '1/s', RATE_LIMIT_STORE_FAILURE: 'closed' }, /RATE_LIMIT_STORE_FAILURE needs RATE_LIMIT_STORE/],
    [{ RATE_LIMIT: '1/s', RATE_LIMIT_STORE: 'redis://r', RATE_LIMIT_STORE_FAILURE: 'open' }, /one of local, closed/],
    [{ RATE_LIMIT: '1/s', RATE_LIMIT_STORE: 'redis://r', RATE_LIMIT_STORE_TIMEOUT_MS: '0' }, /1 to 60000/],
  ])('rejects %o', (env, message) => {
    expect(() => readSettings(env)).toThrow(message);
    try {
      readSettings(env);
    } catch (error) {
      expect((error as Error).message).not.toContain('pw-hidden');
    }
  });
});

describe.skipIf(!haveRedis)('buckets in Redis', () => {
  beforeAll(() => {
    run++;
  });

  it('gives the in-memory buckets’ answers, take for take, on the same clock', async () => {
    for (const limit of [
      { perSecond: 1, burst: 3 },
      { perSecond: 7 / 60, burst: 2 },
      { perSecond: 250, burst: 40 },
    ]) {
      run++;
      const shared = store(limit, {}, { clock: 'caller' });
      await shared.connected();
      const local = memoryBuckets(limit);
      // Bursts, refills, a clock that steps back (another replica's), idle callers.
      const takes: [string, number][] = [];
      for (let i = 0; i < 60; i++) takes.push([i % 3 === 0 ? 'b' : 'a', 1_000_000 + Math.floor(i / 4) * 137]);
      takes.push(['a', 999_000], ['a', 5_000_000], ['c', 5_000_000], ['a', 5_000_001]);
      for (const [key, now] of takes) {
        expect(await shared.take(key, now), `${JSON.stringify(limit)} ${key}@${now}`).toEqual(local.takeNow(key, now));
      }
    }
  });

  it('is atomic across clients: two replicas taking at once spend exactly the burst', async () => {
    run++;
    const limit = { perSecond: 0.001, burst: 10 };
    const [first, second] = [store(limit), store(limit)];
    await Promise.all([first.connected(), second.connected()]);
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => (i % 2 ? first : second).take('key:shared', Date.now())),
    );
    expect(results.filter((result) => result.allowed)).toHaveLength(10);
    const refused = results.find((result) => !result.allowed);
    expect(refused).toMatchObject({ remaining: 0, retryAfterSeconds: expect.any(Number) });
    expect(refused!.retryAfterSeconds).toBeGreaterThan(900); // about 1000 s for one token at 0.001/s
  });

  it('on Redis’s clock by default; a bucket expires once it would be full again', async () => {
    run++;
    const buckets = store({ perSecond: 2, burst: 4 });
    await buckets.connected();
    expect(await buckets.take('ip:192.0.2.1', 0)).toMatchObject({ allowed: true, remaining: 3 });
    const raw = new Redis(redis!.url);
    try {
      const ttl = await raw.pttl(`emotion:ratelimit:test${run}:ip:192.0.2.1`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(501); // one token missing, 2 per second
    } finally {
      raw.disconnect();
    }
  });

  it('Redis stopped: `local` answers from this process’s buckets and counts it; shared again once Redis is back', async () => {
    run++;
    const registry = new Registry();
    const limit = { perSecond: 0.001, burst: 2 };
    const buckets = store(limit, {}, { registry });
    await buckets.connected();
    expect((await buckets.take('key:k', Date.now())).remaining).toBe(1);
    expect(await gaugeValue(registry, 'emotion_rate_limit_store_up')).toBe(1);

    await redis!.stop();
    // A full bucket of this process's own: the limit now holds per replica.
    const during = [];
    for (let i = 0; i < 3; i++) during.push((await buckets.take('key:k', Date.now())).allowed);
    expect(during).toEqual([true, true, false]);
    expect(await gaugeValue(registry, 'emotion_rate_limit_store_failures_total', '{fallback="local"}')).toBe(3);
    expect(await gaugeValue(registry, 'emotion_rate_limit_store_up')).toBe(0);

    await redis!.start(); // empty: no persistence
    const deadline = Date.now() + 10_000;
    while ((await gaugeValue(registry, 'emotion_rate_limit_store_up')) !== 1 && Date.now() < deadline) {
      await buckets.take('key:probe', Date.now());
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await gaugeValue(registry, 'emotion_rate_limit_store_up')).toBe(1);
    expect((await buckets.take('key:k', Date.now())).remaining).toBe(1); // Redis's bucket, full after the restart
  }, 20_000);

  it('Redis stopped: `closed` refuses with 503 (ServerBusyError), counted', async () => {
    run++;
    const registry = new Registry();
    const buckets = store({ perSecond: 1, burst: 5 }, { onFailure: 'closed' }, { registry });
    await buckets.connected();
    expect((await buckets.take('key:k', Date.now())).allowed).toBe(true);
    await redis!.stop();
    try {
      await expect(buckets.take('key:k', Date.now())).rejects.toBeInstanceOf(ServerBusyError);
      expect(await gaugeValue(registry, 'emotion_rate_limit_store_failures_total', '{fallback="closed"}')).toBe(1);
    } finally {
      await redis!.start();
    }
  });

  it('Redis stalled: a take waits at most the timeout, and the next second’s takes do not wait at all', async () => {
    run++;
    const buckets = store({ perSecond: 10, burst: 10 }, { timeoutMs: 100 });
    await buckets.connected();
    await buckets.take('key:k', Date.now());
    redis!.pause();
    try {
      let start = performance.now();
      expect((await buckets.take('key:k', Date.now())).allowed).toBe(true);
      const first = performance.now() - start;
      expect(first).toBeGreaterThanOrEqual(90);
      expect(first).toBeLessThan(1_000);
      start = performance.now();
      for (let i = 0; i < 5; i++) await buckets.take('key:k', Date.now());
      expect(performance.now() - start).toBeLessThan(250); // waiting on Redis would take 500
    } finally {
      redis!.resume();
    }
  });

  it('RATE_LIMIT_STORE_PASSWORD: takes from a Redis that needs one; a wrong one falls back, and no log line shows it', async () => {
    const secret = 'redis-secret-7d41c0';
    const guarded = await testRedis(['--requirepass', secret]);
    const lines: string[] = [];
    const logger = { warn: (line: string) => lines.push(line), info: (line: string) => lines.push(line) };
    try {
      const settings = { url: guarded.url, timeoutMs: 100, onFailure: 'local' as const };
      const right = redisBuckets({ perSecond: 1, burst: 3 }, { ...settings, password: secret }, { logger });
      const wrong = redisBuckets(
        { perSecond: 1, burst: 3 },
        { ...settings, password: `${secret}-not` },
        { logger, registry: new Registry() },
      );
      stores.push(right, wrong);
      await right.connected();
      expect((await right.take('key:k', Date.now())).remaining).toBe(2);
      expect((await right.take('key:k', Date.now())).remaining).toBe(1);
      await new Promise((r) => setTimeout(r, 300));
      expect((await wrong.take('key:k', Date.now())).remaining).toBe(2); // its own bucket, not Redis's
      expect(lines.join('\n')).toMatch(/shared store \(Redis\) failed/);
      expect(lines.join('\n')).not.toContain(secret);
    } finally {
      await guarded.stop();
    }
  });
});
