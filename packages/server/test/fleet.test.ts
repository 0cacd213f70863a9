/**
 * A fleet: two real server processes (dist/start.cjs) sharing one real Redis
 * (RATE_LIMIT_STORE), a client alternating between them as a load balancer would send it. The
 * limit holds for the pair, survives a restart of either, and Redis stopping or stalling under
 * load costs no request its answer. Slow tier (server processes); skipped with TEST_TIER=fast.
 */
import { HAPPY_FACE, type RunningServer, readFace, startServer } from '@emotion/test-support';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { LEASE_MS } from '../src/redis-stream-leases.js';
import { redisAvailable, type TestRedis, testRedis } from './redis-server.js';

const fast = process.env.TEST_TIER === 'fast';
const haveRedis = !fast && redisAvailable('fleet test');

/** 5 per hour: nothing refills while the test runs. The servers see the test's client addresses
 * in X-Forwarded-For, trusted from loopback (where the test, their only proxy, connects from). */
const BURST = 5;
/** Open streams per caller, for the fleet (the leases in Redis). */
const STREAMS_PER_CALLER = 2;
let redis: TestRedis;
const servers: RunningServer[] = [];
const fleetEnv = () => ({
  LOG_REQUESTS: '0',
  RATE_LIMIT: `${BURST}/hour`,
  RATE_LIMIT_STORE: redis.url,
  TRUST_PROXY: 'loopback',
  STREAM_MAX_PER_CALLER: String(STREAMS_PER_CALLER),
});

async function start(env: Record<string, string>): Promise<RunningServer> {
  const server = await startServer(env, 60_000);
  servers.push(server);
  return server;
}

async function restart(server: RunningServer, env: Record<string, string>): Promise<RunningServer> {
  server.child.kill('SIGTERM');
  expect(await server.exited).toBe(0);
  return start(env);
}

interface Answer {
  status: number;
  remaining: string | null;
  retryAfter: string | null;
  ms: number;
}

/** A request the limiter counts and the server answers without inference (400 "No image provided"). */
async function ask(server: RunningServer, client: string, path = '/predict'): Promise<Answer> {
  const start = performance.now();
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': client },
    body: '{}',
  });
  await response.arrayBuffer();
  return {
    status: response.status,
    remaining: response.headers.get('ratelimit-remaining'),
    retryAfter: response.headers.get('retry-after'),
    ms: performance.now() - start,
  };
}

interface OpenedStream {
  /** 101 once the server said `ready`; else the refusal's status, or the close code before `ready`. */
  status: number;
  retryAfter?: string;
  remaining?: string;
  socket: WebSocket;
  /** Resolves once the client's socket has closed. */
  closed: Promise<void>;
}

/** A stream from `client`, resolved once the server has counted it (its `ready`) or refused it. */
function openStream(server: RunningServer, client: string): Promise<OpenedStream> {
  const socket = new WebSocket(`${server.url.replace('http', 'ws')}/v1/stream`, {
    headers: { 'X-Forwarded-For': client },
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return new Promise((resolve, reject) => {
    socket.once('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string };
      if (message.type === 'ready') resolve({ status: 101, socket, closed });
      else reject(new Error(`first message: ${String(data)}`));
    });
    socket.once('unexpected-response', (_request, response) => {
      // A refused upgrade has no body: the headers tell a stream cap from the rate limit.
      resolve({
        status: response.statusCode ?? 0,
        retryAfter: response.headers['retry-after'],
        remaining: response.headers['ratelimit-remaining'] as string | undefined,
        socket,
        closed,
      });
      response.resume();
      socket.terminate();
    });
    socket.once('close', (code) => resolve({ status: code, socket, closed }));
    socket.once('error', () => {});
  });
}

/** Leases `client` holds in Redis now (the server's key for an address: `ip:<address>`). */
async function leasesHeld(client: string): Promise<number> {
  const connection = new Redis(redis.url);
  try {
    const [seconds, micros] = await connection.time();
    const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    return await connection.zcount(`emotion:streams:ip:${client}`, `(${now}`, '+inf');
  } finally {
    connection.disconnect();
  }
}

async function until(condition: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return Date.now() - start;
}

/** `count` requests from `client`, alternating between the servers. */
async function alternate(pair: RunningServer[], client: string, count: number): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let i = 0; i < count; i++) answers.push(await ask(pair[i % pair.length]!, client));
  return answers;
}

async function metric(server: RunningServer, name: string): Promise<number | undefined> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

/** Waits until every server's store answers again (takes by `probe` until the gauge says 1). */
async function untilShared(pair: RunningServer[]): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (const server of pair) {
    while ((await metric(server, 'emotion_rate_limit_store_up')) !== 1) {
      if (Date.now() > deadline) throw new Error('the store did not come back');
      await ask(server, '192.0.2.250');
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Clients sending flat out to both servers, each from its own address, until `stop()`. */
function load(pair: RunningServer[], clients: number) {
  const answers: (Answer | Error)[] = [];
  let running = true;
  const loops = Array.from({ length: clients }, async (_, c) => {
    for (let i = 0; running; i++) {
      answers.push(await ask(pair[i % pair.length]!, `198.51.100.${c + 1}`).catch((error: Error) => error));
    }
  });
  return {
    answers,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return answers;
    },
  };
}

describe.skipIf(!haveRedis)('two replicas sharing one Redis', { timeout: 180_000 }, () => {
  let a: RunningServer;
  let b: RunningServer;

  beforeAll(async () => {
    redis = await testRedis();
    [a, b] = await Promise.all([start(fleetEnv()), start(fleetEnv())]);
  }, 120_000);

  afterAll(async () => {
    for (const server of servers) server.child.kill('SIGKILL');
    await redis?.stop();
  });

  it('a client alternating between them gets the limit once for the pair, not once per replica', async () => {
    const answers = await alternate([a, b], '203.0.113.1', 2 * BURST);
    expect(answers.map((answer) => answer.status)).toEqual([400, 400, 400, 400, 400, 429, 429, 429, 429, 429]);
    expect(answers.slice(0, BURST).map((answer) => answer.remaining)).toEqual(['4', '3', '2', '1', '0']);
    expect(Number(answers[BURST]!.retryAfter)).toBeGreaterThan(600); // one token per 12 minutes
    // Another client has a bucket of its own.
    expect((await ask(b, '203.0.113.2')).remaining).toBe('4');
  });

  it("a stream's frames on one replica spend the bucket that requests on the other take from", async () => {
    const socket = new WebSocket(`${a.url.replace('http', 'ws')}/v1/stream`, {
      headers: { 'X-Forwarded-For': '203.0.113.9' },
    });
    const messages: { type: string; code?: string }[] = [];
    let wake: (() => void) | undefined;
    socket.on('message', (data) => {
      messages.push(JSON.parse(String(data)));
      wake?.();
    });
    const next = async () => {
      while (messages.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      return messages.shift()!;
    };
    try {
      expect((await next()).type).toBe('ready');
      const face = readFace(HAPPY_FACE);
      const answers = [];
      for (let i = 0; i < 3; i++) {
        socket.send(face);
        answers.push((await next()).type);
      }
      expect(answers).toEqual(['faces', 'faces', 'faces']);
    } finally {
      socket.close();
    }
    // The upgrade took one token and the frames three: one left, on the other replica.
    expect((await alternate([b], '203.0.113.9', 2)).map((answer) => answer.status)).toEqual([400, 429]);
  });

  it('STREAM_MAX_PER_CALLER holds for the fleet: two streams on A, a third on B is refused until one closes', async () => {
    const client = '203.0.113.20';
    const onA = [await openStream(a, client), await openStream(a, client)];
    try {
      expect(onA.map((stream) => stream.status)).toEqual([101, 101]);
      expect(await leasesHeld(client)).toBe(2);
      // The stream cap's 429 (Retry-After: 5), not the rate limit's (tokens are left).
      expect(await openStream(b, client)).toMatchObject({ status: 429, retryAfter: '5', remaining: '2' });
      expect(await metric(b, 'emotion_stream_refusals_total{reason="caller_cap"}')).toBe(1);
      // Another caller has its own cap, on either replica.
      const other = await openStream(b, '203.0.113.21');
      expect(other.status).toBe(101);
      other.socket.close();

      onA[0]!.socket.close();
      await onA[0]!.closed;
      await until(async () => (await leasesHeld(client)) === 1, 5_000);
      const onB = await openStream(b, client);
      expect(onB.status).toBe(101);
      onB.socket.close();
    } finally {
      for (const stream of onA) stream.socket.close();
    }
  });

  it("a replica killed with SIGKILL: its streams' leases lapse within the lease time (renewed ones stay), then the caller may stream again", async () => {
    const client = '203.0.113.22';
    // A stream on a live replica, open all along: its lease is renewed, so it outlives LEASE_MS.
    const survivor = await openStream(a, '203.0.113.23');
    expect(survivor.status).toBe(101);
    const doomed = await start(fleetEnv());
    const held = [await openStream(doomed, client), await openStream(doomed, client)];
    expect(held.map((stream) => stream.status)).toEqual([101, 101]);
    expect(await openStream(a, client)).toMatchObject({ status: 429, retryAfter: '5', remaining: '2' });

    doomed.child.kill('SIGKILL');
    await doomed.exited;
    // No close ever reaches Redis: the leases go once their last renewal runs out.
    const lapsedAfter = await until(async () => (await leasesHeld(client)) === 0, LEASE_MS + 5_000);
    // At most LEASE_MS after its last renewal (here: the admission, ~1 s before the kill), plus polling.
    expect(lapsedAfter).toBeLessThanOrEqual(LEASE_MS + 1_500);
    const again = await openStream(a, client);
    expect(again.status).toBe(101);
    again.socket.close();
    expect(await leasesHeld('203.0.113.23')).toBe(1);
    survivor.socket.close();
  });

  it("a replica shut down (SIGTERM) gives its streams' leases back at once: the caller may stream elsewhere", async () => {
    const client = '203.0.113.24';
    const leaving = await start(fleetEnv());
    const held = [await openStream(leaving, client), await openStream(leaving, client)];
    expect(held.map((stream) => stream.status)).toEqual([101, 101]);
    leaving.child.kill('SIGTERM');
    expect(await leaving.exited).toBe(0);
    expect(await leasesHeld(client)).toBe(0);
    const moved = await openStream(a, client);
    expect(moved.status).toBe(101);
    moved.socket.close();
  });

  it('survives a restart of either replica: spent tokens stay spent', async () => {
    // 203.0.113.2 has spent 1; two more, then each replica restarts.
    expect((await alternate([a, b], '203.0.113.2', 2)).map((answer) => answer.remaining)).toEqual(['3', '2']);
    a = await restart(a, fleetEnv());
    expect(await ask(a, '203.0.113.1')).toMatchObject({ status: 429 });
    expect(await ask(a, '203.0.113.2')).toMatchObject({ status: 400, remaining: '1' });
    b = await restart(b, fleetEnv());
    expect(await ask(b, '203.0.113.1')).toMatchObject({ status: 429 });
    expect((await alternate([b, a, b], '203.0.113.2', 3)).map((answer) => answer.status)).toEqual([400, 429, 429]);
  });

  it('Redis stalled (SIGSTOP) under load: every request is answered within about the timeout', async () => {
    const running = load([a, b], 4);
    await new Promise((r) => setTimeout(r, 300));
    redis.pause();
    await new Promise((r) => setTimeout(r, 2_500));
    redis.resume();
    const answers = await running.stop();
    const failed = answers.filter((answer) => answer instanceof Error || ![400, 429].includes(answer.status));
    expect(failed).toEqual([]);
    const slowest = Math.max(...answers.map((answer) => (answer as Answer).ms));
    // RATE_LIMIT_STORE_TIMEOUT_MS is 100; waiting on Redis would hold requests for the whole 2.5 s stall.
    expect(slowest).toBeLessThan(2_000);
    await untilShared([a, b]);
  });

  it('Redis stopped under load: no request fails; each replica falls back to its own buckets, counted; shared again once Redis is back', async () => {
    const running = load([a, b], 4);
    await new Promise((r) => setTimeout(r, 500));
    await redis.stop();
    await new Promise((r) => setTimeout(r, 1_500));
    const answers = await running.stop();
    const failed = answers.filter((answer) => answer instanceof Error || ![400, 429].includes(answer.status));
    expect(answers.length).toBeGreaterThan(20);
    expect(failed).toEqual([]);

    // Per replica now: a fresh client alternating gets the burst from each.
    const apart = await alternate([a, b], '203.0.113.3', 2 * BURST + 2);
    expect(apart.filter((answer) => answer.status === 400)).toHaveLength(2 * BURST);
    for (const server of [a, b]) {
      expect(await metric(server, 'emotion_rate_limit_store_failures_total{fallback="local"}')).toBeGreaterThan(0);
      expect(await metric(server, 'emotion_rate_limit_store_up')).toBe(0);
      expect(server.output()).toMatch(/the shared store \(Redis\) failed .*using this process's own buckets/);
    }

    await redis.start(); // empty: no persistence
    await untilShared([a, b]);
    const together = await alternate([a, b], '203.0.113.4', BURST + 2);
    expect(together.map((answer) => answer.status)).toEqual([400, 400, 400, 400, 400, 429, 429]);
  });

  it('RATE_LIMIT_STORE_FAILURE=closed: 503 with Retry-After while Redis is down, health unaffected', async () => {
    const closed = await start({ ...fleetEnv(), RATE_LIMIT_STORE_FAILURE: 'closed' });
    expect((await ask(closed, '203.0.113.5')).status).toBe(400);
    await redis.stop();
    try {
      const refused = await ask(closed, '203.0.113.5', '/v1/analyze');
      expect(refused).toMatchObject({ status: 503, retryAfter: '1' });
      // No stream either, refused before the upgrade (the upgrade's rate-limit take refuses it first).
      expect(await openStream(closed, '203.0.113.6')).toMatchObject({ status: 503, retryAfter: '1' });
      expect((await fetch(`${closed.url}/health`)).status).toBe(200);
      expect(await metric(closed, 'emotion_rate_limit_store_failures_total{fallback="closed"}')).toBeGreaterThan(0);
    } finally {
      await redis.start();
    }
    await untilShared([closed]);
    expect((await ask(closed, '203.0.113.5')).status).toBe(400);
  });
});
