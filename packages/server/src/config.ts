/** Settings from the environment, checked so a typo fails loudly at start-up. */

import { availableParallelism } from 'node:os';

export interface ListenConfig {
  host: string;
  port: number;
}

export function listenConfig(env: NodeJS.ProcessEnv = process.env): ListenConfig {
  const host = env.HOST || '127.0.0.1';
  const rawPort = env.PORT || '5000';
  const port = Number(rawPort);
  if (!/^\d+$/.test(rawPort) || port > 65535) {
    throw new Error(`PORT must be a whole number from 0 to 65535, got "${rawPort}"`);
  }
  return { host, port };
}

/** MAX_BODY_MB: the largest request body in MiB (default 25); bigger requests get 413. */
export function maxBodyBytes(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.MAX_BODY_MB || '25';
  const megabytes = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || !(megabytes > 0)) {
    throw new Error(`MAX_BODY_MB must be a positive number of MiB, got "${raw}"`);
  }
  return Math.floor(megabytes * 1024 * 1024);
}

/**
 * INFERENCE_THREADS: how many inferences run at once (default: the CPUs this process may use,
 * `os.availableParallelism()`). Each inference is napi async work on libuv's thread pool and
 * runs ONNX Runtime with one intra-op thread, so the pool's size is the parallelism: pool
 * threads × ORT threads (1) = the cores, and the two never oversubscribe the machine. The
 * pool is sized from this value by start.cts (UV_THREADPOOL_SIZE), which must happen before
 * the pool starts. Note that availableParallelism() sees CPU affinity, not a container's CPU
 * quota: set INFERENCE_THREADS to the quota there.
 */
export function inferenceThreads(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.INFERENCE_THREADS || String(availableParallelism());
  return wholeNumber('INFERENCE_THREADS', raw, 1, MAX_UV_THREADPOOL_SIZE);
}

/**
 * MAX_QUEUE: how many requests may have an inference running or waiting for a thread; past
 * that the server answers 503 "Server busy" with Retry-After. Default: 4 × `threads`. With
 * T threads an admitted request waits behind at most MAX_QUEUE − T others, so its latency is at
 * most about MAX_QUEUE / T = 4 inference times: enough depth to absorb a burst and keep every
 * thread fed while answers go out, small enough that overload shows as 503s, not as latency.
 */
export function maxQueue(threads: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.MAX_QUEUE || String(DEFAULT_QUEUE_PER_THREAD * threads);
  return wholeNumber('MAX_QUEUE', raw, 1, 1_000_000);
}

export const DEFAULT_QUEUE_PER_THREAD = 4;

/** libuv's own cap on UV_THREADPOOL_SIZE (MAX_THREADPOOL_SIZE in its threadpool.c). */
export const MAX_UV_THREADPOOL_SIZE = 1024;

/**
 * The size libuv gave its thread pool, read the way libuv reads it at the pool's start: 4 when
 * UV_THREADPOOL_SIZE is unset, else its value clamped to 1..1024.
 */
export function libuvPoolSize(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.UV_THREADPOOL_SIZE;
  if (raw === undefined) return 4;
  const size = Number.parseInt(raw, 10) || 0; // atoi
  return Math.min(Math.max(size, 1), MAX_UV_THREADPOOL_SIZE);
}

function wholeNumber(name: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}
