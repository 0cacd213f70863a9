/**
 * Fleet-wide stream caps on a real Redis (Debian's redis-server, started here): two "replicas"
 * (two lease stores, two connections) share one per-caller cap, the total cap stays per replica,
 * leases lapse when nobody renews them (a crashed replica), and Redis down follows
 * RATE_LIMIT_STORE_FAILURE.
 */
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createApp } from '../src/app.js';
import { ServerBusyError } from '../src/errors.js';
import { createOpenStreams, type StreamLease } from '../src/open-streams.js';
import type { RedisStoreSettings } from '../src/redis-buckets.js';
import { redisStreamLeases, type StreamLeases, type StreamLeasesOptions } from '../src/redis-stream-leases.js';
import { redisAvailable, type TestRedis, testRedis } from './redis-server.js';

const haveRedis = redisAvailable('stream lease tests');

let redis: TestRedis | undefined;
const made: StreamLeases[] = [];
let run = 0;

beforeAll(async () => {
  if (haveRedis) redis = await testRedis();
});
afterAll(async () => {
  await Promise.all(made.map((leases) => leases.close()));
  await redis?.stop();
});

async function leaseStore(
  on: TestRedis,
  settings: Partial<RedisStoreSettings> = {},
  options: StreamLeasesOptions = {},
): Promise<StreamLeases> {
  const leases = redisStreamLeases(
    { url: on.url, password: undefined, timeoutMs: 100, onFailure: 'local', ...settings },
    { keyPrefix: `run${run}:`, ...options },
  );
  made.push(leases);
  await leases.connected();
  return leases;
}

async function metricValue(registry: Registry, name: string, labels = ''): Promise<number | undefined> {
  const text = await registry.metrics();
  const match = new RegExp(`^${name}${labels.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!haveRedis)('stream leases in Redis', () => {
  it('two replicas share the per-caller cap: two open on A, the third refused on B until one closes', async () => {
    run++;
    const a = createOpenStreams(2, 32, await leaseStore(redis!));
    const b = createOpenStreams(2, 32, await leaseStore(redis!));
    const first = await a.add('key:alice');
    const second = await a.add('key:alice');
    expect(first).toBeDefined();
    expect(second).toBeDefined();
    expect(await b.refusal('key:alice')).toBe('caller');
    expect(await b.add('key:alice')).toBeUndefined();
    expect(b.open).toBe(0); // the refused add holds nothing here either
    // Another caller has a cap of its own.
    expect(await b.refusal('key:bob')).toBeUndefined();

    first!.release();
    first!.release(); // twice is once
    await sleep(50); // the release is sent, not awaited
    expect(await b.refusal('key:alice')).toBeUndefined();
    const third = await b.add('key:alice');
    expect(third).toBeDefined();
    expect(await a.add('key:alice')).toBeUndefined();
    expect([a.open, b.open]).toEqual([1, 1]);
  });

  it('admissions racing from two replicas: exactly the cap gets through', async () => {
    run++;
    const replicas = [
      createOpenStreams(3, 100, await leaseStore(redis!)),
      createOpenStreams(3, 100, await leaseStore(redis!)),
    ];
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => replicas[i % 2]!.add('ip:192.0.2.7')));
    expect(answers.filter(Boolean)).toHaveLength(3);
    expect(replicas[0]!.open + replicas[1]!.open).toBe(3);
  });

  it('STREAM_MAX_OPEN stays per replica: a full replica refuses, the other still admits', async () => {
    run++;
    const a = createOpenStreams(4, 1, await leaseStore(redis!));
    const b = createOpenStreams(4, 1, await leaseStore(redis!));
    expect(await a.add('ip:192.0.2.1')).toBeDefined();
    expect(await a.refusal('ip:192.0.2.2')).toBe('server');
    expect(await a.add('ip:192.0.2.2')).toBeUndefined();
    expect(await b.add('ip:192.0.2.2')).toBeDefined();
  });

  it("a lease nobody renews lapses on its own (a crashed replica's streams); a renewed one stays", async () => {
    run++;
    const leases = await leaseStore(redis!, {}, { leaseMs: 600 });
    expect(await leases.acquire('ip:192.0.2.3', 'crashed', 2)).toBe(true);
    expect(await leases.acquire('ip:192.0.2.3', 'alive', 2)).toBe(true);
    expect(await leases.acquire('ip:192.0.2.3', 'third', 2)).toBe(false);
    for (let i = 0; i < 4; i++) {
      await sleep(250);
      expect(await leases.renew('ip:192.0.2.3', 'alive')).toBe(true);
    }
    // 1 s after it was taken, the unrenewed lease is gone; the renewed one still counts.
    expect(await leases.count('ip:192.0.2.3')).toBe(1);
    expect(await leases.acquire('ip:192.0.2.3', 'third', 2)).toBe(true);
    // Nothing is left behind in Redis once every lease has lapsed.
    await sleep(700);
    expect(await leases.count('ip:192.0.2.3')).toBe(0);
    const client = new Redis(redis!.url);
    try {
      expect(await client.exists(`emotion:streams:run${run}:ip:192.0.2.3`)).toBe(0);
    } finally {
      client.disconnect();
    }
  });

  it('close() gives back every lease this replica still holds (a shutdown), released ones only once', async () => {
    run++;
    const leaving = await leaseStore(redis!);
    const staying = await leaseStore(redis!);
    const streams = createOpenStreams(3, 32, leaving);
    const first = await streams.add('key:gina');
    await streams.add('key:gina');
    expect(await staying.count('key:gina')).toBe(2);
    first!.release();
    await leaving.close();
    expect(await staying.count('key:gina')).toBe(0);
    expect(await staying.acquire('key:gina', 'elsewhere', 1)).toBe(true);
  });

  it('after Redis lost its data, renewals count the open streams again', async () => {
    run++;
    const own = await testRedis();
    try {
      const leases = await leaseStore(own);
      expect(await leases.acquire('key:carol', 's1', 1)).toBe(true);
      await own.stop();
      await own.start(); // empty: no persistence
      await leases.connected();
      expect(await leases.count('key:carol')).toBe(0);
      expect(await leases.renew('key:carol', 's1')).toBe(true);
      expect(await leases.acquire('key:carol', 's2', 1)).toBe(false);
    } finally {
      await own.stop();
    }
  });

  describe('Redis down', () => {
    it('RATE_LIMIT_STORE_FAILURE=local: this replica counts alone, each failure counted, the gauge at 0', async () => {
      run++;
      const own = await testRedis();
      const registry = new Registry();
      const leases = await leaseStore(own, { onFailure: 'local' }, { registry });
      const streams = createOpenStreams(2, 32, leases);
      const held = await streams.add('key:dave');
      expect(held).toBeDefined();
      expect(await metricValue(registry, 'emotion_rate_limit_store_up')).toBe(1);
      await own.stop();
      try {
        const start = performance.now();
        expect(await streams.refusal('key:dave')).toBeUndefined();
        expect(await streams.add('key:dave')).toBeDefined();
        expect(await streams.refusal('key:dave')).toBe('caller');
        expect(await streams.add('key:dave')).toBeUndefined();
        expect(performance.now() - start).toBeLessThan(2_000);
        expect(
          await metricValue(registry, 'emotion_rate_limit_store_failures_total', '{fallback="local"}'),
        ).toBeGreaterThanOrEqual(3);
        expect(await metricValue(registry, 'emotion_rate_limit_store_up')).toBe(0);
        // Releasing and renewing while Redis is gone neither throws nor hangs.
        held!.renew();
        held!.release();
        expect(streams.open).toBe(1);
      } finally {
        await own.stop();
      }
    });

    it('RATE_LIMIT_STORE_FAILURE=closed: refusal rejects with 503 (ServerBusyError), add holds nothing', async () => {
      run++;
      const own = await testRedis();
      const registry = new Registry();
      const streams = createOpenStreams(2, 32, await leaseStore(own, { onFailure: 'closed' }, { registry }));
      await own.stop();
      await expect(streams.refusal('key:erin')).rejects.toBeInstanceOf(ServerBusyError);
      expect(await streams.add('key:erin')).toBeUndefined();
      expect(streams.open).toBe(0);
      expect(
        await metricValue(registry, 'emotion_rate_limit_store_failures_total', '{fallback="closed"}'),
      ).toBeGreaterThanOrEqual(2);
    });

    it('closed: the upgrade is answered 503 with Retry-After: 1 before it happens', async () => {
      run++;
      const own = await testRedis();
      const streamLeases = await leaseStore(own, { onFailure: 'closed' });
      // No rate limit: only the stream caps consult Redis here. The engine is never needed.
      const app = createApp(new Promise<never>(() => {}), { webRoot: null, streamLeases });
      await own.stop();
      const response = await app.request('/v1/stream', {
        headers: { Upgrade: 'websocket', Connection: 'Upgrade' },
      });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('1');
      expect(await response.json()).toMatchObject({ code: 'SERVER_BUSY' });
    });

    it('a stalled Redis (SIGSTOP) costs an admission at most about the timeout', async () => {
      run++;
      const own = await testRedis();
      const streams = createOpenStreams(2, 32, await leaseStore(own, { timeoutMs: 100 }));
      own.pause();
      try {
        const start = performance.now();
        const lease: StreamLease | undefined = await streams.add('key:frank');
        expect(lease).toBeDefined(); // `local`: admitted on this replica's count
        expect(performance.now() - start).toBeLessThan(1_500);
      } finally {
        own.resume();
        await own.stop();
      }
    });
  });
});

describe('stream caps in memory (no shared store)', () => {
  it('per caller and in all, released once', async () => {
    const streams = createOpenStreams(1, 2);
    const first = await streams.add('ip:192.0.2.1');
    expect(await streams.refusal('ip:192.0.2.1')).toBe('caller');
    expect(await streams.add('ip:192.0.2.1')).toBeUndefined();
    expect(await streams.add('ip:192.0.2.2')).toBeDefined();
    expect(await streams.refusal('ip:192.0.2.3')).toBe('server');
    first!.renew();
    first!.release();
    first!.release();
    expect(streams.open).toBe(1);
    expect(await streams.refusal('ip:192.0.2.1')).toBeUndefined();
  });
});
