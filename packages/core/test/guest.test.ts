/**
 * The engine as a guest in someone else's Node app: its own threads (the host's file reads do
 * not wait behind models), a bounded queue, cancellation, time limits and close.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { facesDir, HAPPY_FACE, readFace } from '@emotion/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  AbortedError,
  createEngine,
  defaultThreads,
  type Engine,
  EngineBusyError,
  EngineClosedError,
  TimeoutError,
} from '../src/index.js';

const face = readFace(HAPPY_FACE);
let one: Engine;

beforeAll(async () => {
  // One thread, so calls provably wait for it.
  one = await createEngine({ threads: 1, maxQueue: 3 });
});
afterAll(async () => {
  await one.close();
});

/** Settles every promise; the rejections' errors. */
async function failures(calls: Promise<unknown>[]): Promise<unknown[]> {
  const outcomes = await Promise.allSettled(calls);
  return outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
}

describe('threads of its own', () => {
  it('defaults to the CPUs this process may use, and says how many it runs', async () => {
    expect(defaultThreads()).toBeGreaterThanOrEqual(1);
    expect(one.threads).toBe(1);
  });

  it("a host's file read does not wait behind queued analyses (libuv's pool stays free)", async () => {
    const engine = await createEngine();
    try {
      let settled = 0;
      const calls = Array.from({ length: 100 }, () => engine.analyze(face).finally(() => settled++));
      await readFile(join(facesDir, HAPPY_FACE));
      // On libuv's pool (4 threads) the read would queue behind every analysis started before it.
      expect(settled).toBeLessThan(50);
      await Promise.all(calls);
    } finally {
      await engine.close();
    }
  });
});

describe('limits and cancellation', () => {
  it('past maxQueue waiting calls, one more rejects at once with BUSY; the others answer', async () => {
    const calls = Array.from({ length: 10 }, () => one.analyze(face));
    const outcomes = await Promise.allSettled(calls);
    const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
    // Three waiting, and one running if the thread took the first before the others came.
    expect(refused.length).toBeGreaterThanOrEqual(6);
    expect(refused.length).toBeLessThanOrEqual(7);
    for (const error of refused) {
      expect(error).toBeInstanceOf(EngineBusyError);
      expect((error as EngineBusyError).code).toBe('BUSY');
    }
    for (const outcome of outcomes) {
      if (outcome.status === 'fulfilled') expect(outcome.value[0]?.emotion).toBe('happy');
    }
    // The refusals came at once: the first calls were the ones answered.
    expect(outcomes.slice(0, 3).every((o) => o.status === 'fulfilled')).toBe(true);
  });

  it('an aborted signal rejects with ABORTED: before the call, or while it waits, at once', async () => {
    const reason = new Error('user left');
    await expect(one.analyze(face, { signal: AbortSignal.abort(reason) })).rejects.toMatchObject({
      code: 'ABORTED',
      cause: reason,
    });
    const running = one.analyze(face);
    const controller = new AbortController();
    const waiting = one.analyze(face, { signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(AbortedError);
    // The aborted call left its place in the queue (of three): two more fit beside the first.
    const more = [one.analyze(face), one.analyze(face)];
    expect(await failures([running, ...more])).toEqual([]);
  });

  it('a timeout that runs out rejects with TIMEOUT; one that does not changes nothing', async () => {
    const running = one.analyze(face);
    await expect(one.analyze(face, { timeout: 0 })).rejects.toBeInstanceOf(TimeoutError);
    expect((await one.analyze(face, { timeout: 30_000 }))[0]?.emotion).toBe('happy');
    await running;
    await expect(one.analyze(face, { timeout: -1 })).rejects.toThrow(RangeError);
  });

  it('close lets pending calls settle, then refuses new ones with ENGINE_CLOSED', async () => {
    const engine = await createEngine({ threads: 1 });
    const analysis = engine.analyze(face);
    const dominant = engine.dominantEmotion(face);
    const closed = engine.close();
    await expect(engine.analyze(face)).rejects.toBeInstanceOf(EngineClosedError);
    expect((await analysis)[0]?.emotion).toBe('happy');
    expect(await dominant).toBe('happy');
    await closed;
    await expect(engine.dominantEmotion(face)).rejects.toMatchObject({ code: 'ENGINE_CLOSED' });
    await engine[Symbol.asyncDispose]();
  });
});

describe('in a host process with a long command line', () => {
  it('loads and answers from every thread (ONNX Runtime starts up on stack in proportion to the arguments)', async () => {
    // 180 KB of arguments (Linux takes 128 KiB per argument): with Rust's default 2 MiB thread
    // stack, the engine's loading thread died of SIGSEGV at 120 KB.
    const longArguments = Array.from({ length: 3 }, (_, i) => `${i}`.repeat(60_000));
    const script = `
      import { readFileSync } from 'node:fs';
      const [entry, image] = process.argv.slice(1);
      const { createEngine } = await import(entry);
      const engine = await createEngine({ threads: 2 });
      const answers = await Promise.all([1, 2, 3, 4].map(() => engine.analyze(readFileSync(image))));
      await engine.close();
      console.log(JSON.stringify(answers.map((faces) => faces[0]?.emotion)));`;
    const entry = new URL('../dist/index.js', import.meta.url).href;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--input-type=module', '-e', script, entry, join(facesDir, HAPPY_FACE), ...longArguments],
      { maxBuffer: 1 << 20 },
    );
    expect(JSON.parse(stdout)).toEqual(['happy', 'happy', 'happy', 'happy']);
  });
});
