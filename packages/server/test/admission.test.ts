/**
 * Bounded admission through `app.request()`, with a stand-in engine whose inferences finish
 * only when the test says so: no timing, no real model.
 */
import { availableParallelism } from 'node:os';

import { InvalidImageError, type Face } from '@emotion/core';
import { describe, expect, it } from 'vitest';

import { createAdmission } from '../src/admission.js';
import { createApp, type ServerEngine } from '../src/app.js';

/** The stand-in's "images": base64 of the answer it should give, so a mix-up shows. */
const HAPPY = `data:image/png;base64,${Buffer.from('HAPPY').toString('base64')}`;
const SAD = `data:image/png;base64,${Buffer.from('SAD').toString('base64')}`;

const BUSY_SEED_BODY = '{"error":"Server busy"}\n';
const BUSY_V1_BODY = { error: 'Server busy', code: 'SERVER_BUSY' };

interface Call {
  input: string;
  finish: () => void;
  fail: (error: unknown) => void;
}

/**
 * An engine whose every call waits until the test finishes or fails it. `calls` lists the
 * calls in arrival order; `called(n)` resolves once n calls have arrived.
 */
function gatedEngine() {
  const calls: Call[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const arrive = <T>(input: unknown, answer: (text: string) => T): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const text = Buffer.from(String(input), 'base64').toString();
      calls.push({ input: text, finish: () => resolve(answer(text)), fail: reject });
      for (const waiter of waiters.filter((w) => calls.length >= w.n)) waiter.resolve();
    });
  const engine: ServerEngine = {
    dominantEmotion: (input) => arrive(input, (text) => (text === 'HAPPY' ? 'happy' : 'sad')),
    analyze: (input) => arrive(input, (text) => [{ emotion: text.toLowerCase() } as unknown as Face]),
  };
  const called = (n: number) =>
    calls.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve }));
  return { engine, calls, called };
}

const post = (app: ReturnType<typeof createApp>, path: string, image: string) =>
  app.request(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ image }),
  });

async function health(app: ReturnType<typeof createApp>): Promise<unknown> {
  return (await app.request('/health')).json();
}

describe('bounded admission (MAX_QUEUE)', () => {
  it('past the limit: 503 "Server busy" with Retry-After, in each route\'s shape; the accepted get their own answers', async () => {
    const { engine, calls, called } = gatedEngine();
    const app = createApp(engine, { webRoot: null, maxQueue: 3 });

    const accepted = [post(app, '/predict', HAPPY), post(app, '/predict', SAD), post(app, '/v1/analyze', SAD)];
    await called(3);
    expect(await health(app)).toEqual({ status: 'ok', inFlight: 3, maxQueue: 3 });

    const seed = await app.request('/predict', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: 'http://example.test' },
      body: JSON.stringify({ image: HAPPY }),
    });
    expect(seed.status).toBe(503);
    expect(seed.headers.get('retry-after')).toBe('1');
    expect(seed.headers.get('content-type')).toBe('application/json');
    expect(await seed.text()).toBe(BUSY_SEED_BODY);
    // A page on another origin may read the answer and its Retry-After.
    expect(seed.headers.get('access-control-allow-origin')).toBe('*');
    expect(seed.headers.get('access-control-expose-headers')).toMatch(/retry-after/i);

    const v1 = await post(app, '/v1/analyze', HAPPY);
    expect(v1.status).toBe(503);
    expect(v1.headers.get('retry-after')).toBe('1');
    expect(await v1.json()).toEqual(BUSY_V1_BODY);

    // Refused on arrival, before the body is read: even a bad one is just "busy" now.
    const bad = await post(app, '/predict', '');
    expect([bad.status, await bad.text()]).toEqual([503, BUSY_SEED_BODY]);

    // The refused requests never reached the engine.
    expect(calls.map((c) => c.input)).toEqual(['HAPPY', 'SAD', 'SAD']);

    // Finish them in reverse order: each request still gets its own answer.
    for (const call of [...calls].reverse()) call.finish();
    const [first, second, third] = await Promise.all(accepted);
    expect([first!.status, await first!.text()]).toEqual([200, '{"emotion":"HAPPY"}\n']);
    expect([second!.status, await second!.text()]).toEqual([200, '{"emotion":"SAD"}\n']);
    expect(third!.status).toBe(200);
    expect(await third!.json()).toMatchObject({ faces: [{ emotion: 'sad' }] });

    // Capacity comes back.
    expect(await health(app)).toEqual({ status: 'ok', inFlight: 0, maxQueue: 3 });
    const again = post(app, '/predict', SAD);
    await called(4);
    calls[3]!.finish();
    expect(await (await again).text()).toBe('{"emotion":"SAD"}\n');
  });

  it('a slot is freed as soon as one inference ends, not when the queue drains', async () => {
    const { engine, calls, called } = gatedEngine();
    const app = createApp(engine, { webRoot: null, maxQueue: 2 });
    const a = post(app, '/predict', HAPPY);
    const b = post(app, '/predict', SAD);
    await called(2);
    expect((await post(app, '/predict', HAPPY)).status).toBe(503);
    calls[0]!.finish();
    expect(await (await a).text()).toBe('{"emotion":"HAPPY"}\n');
    const c = post(app, '/predict', HAPPY);
    await called(3);
    expect((await post(app, '/predict', HAPPY)).status).toBe(503);
    calls[1]!.finish();
    calls[2]!.finish();
    expect(await (await b).text()).toBe('{"emotion":"SAD"}\n');
    expect(await (await c).text()).toBe('{"emotion":"HAPPY"}\n');
  });

  it('a request let in while there was room is refused if the slots filled up while its body arrived', async () => {
    const { engine, calls, called } = gatedEngine();
    const app = createApp(engine, { webRoot: null, maxQueue: 1 });
    let send!: ReadableStreamDefaultController<Uint8Array>;
    const slow = app.request('/predict', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: new ReadableStream<Uint8Array>({
        start: (controller) => {
          send = controller;
        },
      }),
      duplex: 'half',
    } as RequestInit);
    const bytes = Buffer.from(JSON.stringify({ image: SAD }));
    send.enqueue(bytes.subarray(0, 10)); // it is in, reading its body…

    const fast = post(app, '/predict', HAPPY); // …when another takes the only slot
    await called(1);
    send.enqueue(bytes.subarray(10));
    send.close();
    const refused = await slow;
    expect([refused.status, refused.headers.get('retry-after'), await refused.text()]).toEqual([
      503,
      '1',
      BUSY_SEED_BODY,
    ]);

    calls[0]!.finish();
    expect(await (await fast).text()).toBe('{"emotion":"HAPPY"}\n');
    expect(calls).toHaveLength(1);
  });

  it('every failure gives the slot back: a typed engine error, a rejection, a synchronous throw', async () => {
    const { engine, calls, called } = gatedEngine();
    let mode: 'gated' | 'throw' = 'gated';
    const flaky: ServerEngine = {
      analyze: (input) => engine.analyze(input),
      dominantEmotion: (input, options) => {
        if (mode === 'throw') throw new TypeError('a bug in the binding');
        return engine.dominantEmotion(input, options);
      },
    };
    const app = createApp(flaky, { webRoot: null, maxQueue: 1 });
    const original = console.error;
    console.error = () => {}; // the 500s are logged; not wanted in the test output
    try {
      // A typed input error: 400, and the one slot is free again.
      const typed = post(app, '/predict', HAPPY);
      await called(1);
      expect((await post(app, '/predict', SAD)).status).toBe(503);
      calls[0]!.fail(new InvalidImageError('corrupt JPEG'));
      expect([(await typed).status, await (await typed).text()]).toEqual([400, '{"error":"Failed to decode image"}\n']);

      // An untyped rejection on /v1: 500, and the slot is free again.
      const rejected = post(app, '/v1/analyze', HAPPY);
      await called(2);
      calls[1]!.fail(new Error('boom'));
      expect(await (await rejected).json()).toEqual({ error: 'Internal server error', code: 'INTERNAL' });

      // An engine that throws instead of rejecting: 500, and the slot is free again.
      mode = 'throw';
      expect((await post(app, '/predict', HAPPY)).status).toBe(500);
      mode = 'gated';

      expect(await health(app)).toEqual({ status: 'ok', inFlight: 0, maxQueue: 1 });
      const ok = post(app, '/predict', SAD);
      await called(3);
      calls[2]!.finish();
      expect(await (await ok).text()).toBe('{"emotion":"SAD"}\n');
    } finally {
      console.error = original;
    }
  });

  it('requests waiting for the engine to load count too', async () => {
    const { engine, calls, called } = gatedEngine();
    let load!: (engine: ServerEngine) => void;
    const app = createApp(new Promise<ServerEngine>((resolve) => (load = resolve)), { webRoot: null, maxQueue: 2 });
    const waiting = [post(app, '/predict', SAD), post(app, '/predict', HAPPY)];
    // Neither can reach an engine yet; poll /health until both hold their slots.
    for (let i = 0; i < 100 && ((await health(app)) as { inFlight: number }).inFlight < 2; i++) {
      await new Promise((r) => setImmediate(r));
    }
    expect(await health(app)).toEqual({ status: 'loading', inFlight: 2, maxQueue: 2 });
    const refused = await post(app, '/predict', HAPPY);
    expect([refused.status, refused.headers.get('retry-after'), await refused.text()]).toEqual([
      503,
      '1',
      BUSY_SEED_BODY,
    ]);

    load(engine);
    await called(2);
    for (const call of calls) call.finish();
    const answers = await Promise.all(waiting.map(async (r) => (await r).text()));
    expect(answers).toEqual(['{"emotion":"SAD"}\n', '{"emotion":"HAPPY"}\n']);
  });

  it('by default the limit is 4 × the CPUs', async () => {
    const app = createApp(gatedEngine().engine, { webRoot: null });
    expect(await health(app)).toEqual({ status: 'ok', inFlight: 0, maxQueue: 4 * availableParallelism() });
  });
});

describe('createAdmission', () => {
  it('counts slots, refuses past the limit, and a release counts once however often called', () => {
    const admission = createAdmission(2);
    const a = admission.tryAcquire();
    const b = admission.tryAcquire();
    expect(a && b).toBeTruthy();
    expect(admission.tryAcquire()).toBeUndefined();
    expect(admission.inFlight).toBe(2);
    a!();
    a!();
    expect(admission.inFlight).toBe(1);
    expect(admission.tryAcquire()).toBeTypeOf('function');
    expect(admission.inFlight).toBe(2);
  });

  it('rejects a limit that is no whole number ≥ 1', () => {
    for (const limit of [0, -1, 1.5, Number.NaN]) expect(() => createAdmission(limit)).toThrow(RangeError);
  });
});
