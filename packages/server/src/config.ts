/** Settings from the environment, checked so a typo fails loudly at start-up. */

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

import { SMALL_FACE_DETECTORS, type SmallFaceDetector } from '@emotion/core';

import { describeStore, readStoreSettings } from './rate-limit-store.js';
import type { RedisStoreSettings } from './redis-buckets.js';
import { parseTrustProxy, type TrustProxy } from './trusted-proxies.js';

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
 * the pool starts. availableParallelism() sees CPU affinity, not a container's CPU quota: when
 * INFERENCE_THREADS is unset, start.cts sets it from the cgroup's quota where one is set.
 */
export function inferenceThreads(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.INFERENCE_THREADS || String(availableParallelism());
  return wholeNumber('INFERENCE_THREADS', raw, 1, MAX_UV_THREADPOOL_SIZE);
}

/**
 * MAX_QUEUE: how many requests may have an inference running or waiting for a thread; past
 * that the server answers 503 "Server busy". Default: 4 × `threads` (why: admission.ts).
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

/**
 * MAX_IMAGE_PIXELS: the largest width × height the engine decodes (default: the engine's, 4096 ×
 * 4096 = 16 777 216); larger images get 413 from their header alone.
 */
export function maxImagePixels(raw: string): number {
  return wholeNumber('MAX_IMAGE_PIXELS', raw, 1, 1_000_000_000);
}

/**
 * How long a client may take, so that slow or stalled clients cannot hold sockets for ever
 * (Node's own defaults: 60 s for the headers, 300 s for the whole request, checked every 30 s).
 * HEADERS_TIMEOUT_MS (default 10 000): the request line and headers must arrive within it.
 * REQUEST_TIMEOUT_MS (default 30 000): the whole request, body included: 25 MiB (MAX_BODY_MB)
 * in 30 s needs 7 Mbit/s, far more than the webcam's frames or a phone photo need.
 * KEEP_ALIVE_TIMEOUT_MS (default 5 000, Node's): an idle keep-alive connection is closed then.
 * Expired sockets get 408 and are closed within a second of their deadline.
 */
export interface HttpTimeouts {
  headersTimeout: number;
  requestTimeout: number;
  keepAliveTimeout: number;
  /** How often Node checks for expired requests: its precision. */
  connectionsCheckingInterval: number;
}

export function httpTimeouts(env: NodeJS.ProcessEnv = process.env): HttpTimeouts {
  const ms = (name: string, fallback: number) => wholeNumber(name, env[name] || String(fallback), 1, 3_600_000);
  const headersTimeout = ms('HEADERS_TIMEOUT_MS', 10_000);
  const requestTimeout = ms('REQUEST_TIMEOUT_MS', 30_000);
  const keepAliveTimeout = ms('KEEP_ALIVE_TIMEOUT_MS', 5_000);
  if (headersTimeout > requestTimeout) {
    // Node refuses the combination; say which settings are at fault.
    throw new Error(`HEADERS_TIMEOUT_MS (${headersTimeout}) must not exceed REQUEST_TIMEOUT_MS (${requestTimeout})`);
  }
  const connectionsCheckingInterval = Math.min(1_000, Math.ceil(headersTimeout / 4));
  return { headersTimeout, requestTimeout, keepAliveTimeout, connectionsCheckingInterval };
}

/**
 * What one live stream (/v1/stream) may hold, and how many may be open; why each bound exists:
 * stream.ts and open-streams.ts.
 * STREAM_MAX_PER_CALLER (default 4): open streams per API key, or per address without keys.
 * STREAM_MAX_OPEN (default 32): open streams in all.
 * STREAM_MAX_BUFFERED_KB (default 1024): answers the client has not read, past which new ones are dropped.
 * STREAM_IDLE_TIMEOUT_MS (default 60 000): a stream without a frame for this long is closed.
 * STREAM_HEARTBEAT_MS (default 15 000): ping interval; a client that missed the last pong is cut.
 * A frame must arrive whole within REQUEST_TIMEOUT_MS, as a request must.
 */
export interface StreamLimits {
  maxPerCaller: number;
  maxOpen: number;
  maxBufferedBytes: number;
  idleTimeoutMs: number;
  heartbeatMs: number;
  frameTimeoutMs: number;
}

export function streamLimits(env: NodeJS.ProcessEnv = process.env): StreamLimits {
  const num = (name: string, fallback: number, min: number, max: number) =>
    wholeNumber(name, env[name] || String(fallback), min, max);
  return {
    maxPerCaller: num('STREAM_MAX_PER_CALLER', 4, 1, 10_000),
    maxOpen: num('STREAM_MAX_OPEN', 32, 1, 100_000),
    maxBufferedBytes: num('STREAM_MAX_BUFFERED_KB', 1024, 16, 1_048_576) * 1024,
    idleTimeoutMs: num('STREAM_IDLE_TIMEOUT_MS', 60_000, 1_000, 3_600_000),
    heartbeatMs: num('STREAM_HEARTBEAT_MS', 15_000, 100, 600_000),
    frameTimeoutMs: num('REQUEST_TIMEOUT_MS', 30_000, 1, 3_600_000),
  };
}

// ---- every setting at once (main.ts reads them here, once, at start-up) ----

export type LogFormat = 'json' | 'pretty';
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** RATE_LIMIT and RATE_LIMIT_BURST: a token bucket of `burst` tokens refilled at `perSecond`. */
export interface RateLimitSettings {
  /** Tokens added per second (RATE_LIMIT's count over its period). */
  perSecond: number;
  /** Bucket size: how many requests may come at once after a quiet spell. */
  burst: number;
  /** RATE_LIMIT as written, for the start-up log and the docs. */
  text: string;
}

/** A key from API_KEYS_FILE or API_KEYS: its name (for logs) and the SHA-256 of the key. */
export interface NamedKeyHash {
  name: string;
  sha256: Buffer;
}

export interface Settings {
  listen: ListenConfig;
  maxBodyBytes: number;
  inferenceThreads: number;
  /** Undefined: sized from the libuv pool that really started (main.ts). */
  maxQueue: number | undefined;
  webRoot: string | undefined;
  /** Empty: keys are off and the API is open. */
  apiKeys: NamedKeyHash[];
  rateLimit: RateLimitSettings | undefined;
  /** RATE_LIMIT_STORE=redis://… and its companions (rate-limit-store.ts); undefined: in memory. */
  rateLimitStore: RedisStoreSettings | undefined;
  /** TRUST_PROXY: a hop count (0: ignore X-Forwarded-For) or the proxies' addresses (trusted-proxies.ts). */
  trustProxy: TrustProxy;
  metricsPort: number | undefined;
  corsOrigins: '*' | string[];
  logFormat: LogFormat;
  logLevel: LogLevel;
  logRequests: boolean;
  /** How long /health/ready answers 503 after SIGTERM before the listener closes. */
  shutdownDelayMs: number;
  /** Undefined: the engine's default (4096 × 4096). */
  maxImagePixels: number | undefined;
  /** SMALL_FACE_DETECTOR: the engine's small-face pass, 'full-range' (default) or 'mtcnn'. */
  smallFaceDetector: SmallFaceDetector;
  /** MIN_FACE_SIZE: the smallest face width looked for, 0: no small-face pass; undefined: the engine's 48. */
  minFaceSize: number | undefined;
  httpTimeouts: HttpTimeouts;
  streamLimits: StreamLimits;
}

const PERIOD_SECONDS: Record<string, number> = {
  s: 1,
  sec: 1,
  second: 1,
  m: 60,
  min: 60,
  minute: 60,
  h: 3600,
  hour: 3600,
};

/** "600/min", "10/s", "5000/hour" → requests per second. */
export function parseRateLimit(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*\/\s*([a-z]+)$/i.exec(text.trim());
  const period = match ? PERIOD_SECONDS[(match[2] ?? '').toLowerCase()] : undefined;
  const count = Number(match?.[1]);
  if (!match || period === undefined || !(count > 0)) {
    throw new Error(`RATE_LIMIT must be a count per period such as 600/min, 10/s or 5000/hour, got "${text}"`);
  }
  return count / period;
}

/**
 * API_KEYS_FILE: one key per line, `name:sha256-hex` (the SHA-256 of the key, never the key);
 * blank lines and lines starting with # are skipped. Make a line with
 * `echo "my-app:$(printf '%s' "$KEY" | sha256sum | cut -d' ' -f1)"`.
 */
export function parseKeysFile(text: string, path: string): NamedKeyHash[] {
  const keys: NamedKeyHash[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = /^([\w.@-]{1,64}):([0-9a-f]{64})$/i.exec(line);
    if (!match) {
      throw new Error(
        `API_KEYS_FILE (${path}) line ${index + 1}: expected "name:sha256-hex" (a name of letters, digits, . _ - @ and the key's 64-digit SHA-256)`,
      );
    }
    const [, name = '', hex = ''] = match;
    keys.push({ name, sha256: Buffer.from(hex, 'hex') });
  });
  if (keys.length === 0) throw new Error(`API_KEYS_FILE (${path}) holds no key`);
  return keys;
}

export const MIN_KEY_LENGTH = 16;

function quickStartKeys(list: string): NamedKeyHash[] {
  const keys = list
    .split(',')
    .map((key) => key.trim())
    .filter(Boolean);
  if (keys.length === 0 || keys.some((key) => key.length < MIN_KEY_LENGTH || /\s/.test(key))) {
    throw new Error(
      `API_KEYS must be comma-separated keys of at least ${MIN_KEY_LENGTH} characters without spaces (e.g. from "openssl rand -hex 32")`,
    );
  }
  // Named by position, so a log can say which key was used without showing it.
  return keys.map((key, index) => ({ name: `key${index + 1}`, sha256: createHash('sha256').update(key).digest() }));
}

function corsOrigins(raw: string): '*' | string[] {
  if (raw.trim() === '*') return '*';
  const origins = raw
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  const bad = origins.find((origin) => !/^https?:\/\/[^/\s]+$/.test(origin));
  if (origins.length === 0 || bad !== undefined) {
    throw new Error(
      `CORS_ORIGINS must be * or comma-separated origins such as https://app.example.com (scheme and host, no path), got "${raw}"`,
    );
  }
  return origins;
}

/**
 * Reads and checks every setting once. Each bad variable gets one line naming it and what it
 * accepts; all of them are reported together.
 */
export function readSettings(env: NodeJS.ProcessEnv = process.env, readFile = readKeysFile): Settings {
  const problems: string[] = [];
  const read = <T>(fn: () => T, fallback: T): T => {
    try {
      return fn();
    } catch (error) {
      problems.push((error as Error).message);
      return fallback;
    }
  };
  const set = (name: string) => env[name] !== undefined && env[name] !== '';
  // The value of a variable `set` has vouched for.
  const get = (name: string): string => env[name] ?? '';
  const oneOf = <T extends string>(name: string, values: readonly T[], fallback: T): T => {
    const raw = env[name] || fallback;
    if (!(values as readonly string[]).includes(raw)) {
      throw new Error(`${name} must be one of ${values.join(', ')}, got "${raw}"`);
    }
    return raw as T;
  };

  const threads = read(() => inferenceThreads(env), 1);
  const apiKeys = read(() => {
    // A Secret with an empty value would otherwise deploy an open API: set but empty is an error.
    for (const name of ['API_KEYS', 'API_KEYS_FILE']) {
      if (env[name] !== undefined && env[name]?.trim() === '')
        throw new Error(`${name} is set but empty: give it a value, or unset it to run without API keys`);
    }
    const keys = [
      ...(set('API_KEYS') ? quickStartKeys(get('API_KEYS')) : []),
      ...(set('API_KEYS_FILE') ? parseKeysFile(readFile(get('API_KEYS_FILE')), get('API_KEYS_FILE')) : []),
    ];
    // A name is what logs and rate limits know a key by: two keys must not share one.
    const seen = new Set<string>();
    for (const { name } of keys) {
      if (seen.has(name))
        throw new Error(`API_KEYS_FILE: the name "${name}" is used twice (API_KEYS names its keys key1, key2, …)`);
      seen.add(name);
    }
    return keys;
  }, []);
  const rateLimit = read((): RateLimitSettings | undefined => {
    if (!set('RATE_LIMIT') || env.RATE_LIMIT === 'off') {
      if (set('RATE_LIMIT_BURST')) throw new Error('RATE_LIMIT_BURST needs RATE_LIMIT');
      return undefined;
    }
    const perSecond = parseRateLimit(get('RATE_LIMIT'));
    // Default burst: one period's count, so "600/min" lets 600 through at once, then 10/s.
    const count = Number(/^\s*([\d.]+)/.exec(get('RATE_LIMIT'))?.[1]);
    const burst = set('RATE_LIMIT_BURST')
      ? wholeNumber('RATE_LIMIT_BURST', get('RATE_LIMIT_BURST'), 1, 1_000_000)
      : Math.max(1, Math.floor(count));
    return { perSecond, burst, text: get('RATE_LIMIT').trim() };
  }, undefined);

  const settings: Settings = {
    listen: read(() => listenConfig(env), { host: '127.0.0.1', port: 5000 }),
    maxBodyBytes: read(() => maxBodyBytes(env), 0),
    inferenceThreads: threads,
    maxQueue: set('MAX_QUEUE') ? read(() => maxQueue(threads, env), undefined) : undefined,
    webRoot: env.WEB_ROOT || undefined,
    apiKeys,
    rateLimit,
    rateLimitStore: read(() => readStoreSettings(env, rateLimit !== undefined), undefined),
    trustProxy: set('TRUST_PROXY') ? read(() => parseTrustProxy(get('TRUST_PROXY')), 0) : 0,
    metricsPort: set('METRICS_PORT')
      ? read(() => wholeNumber('METRICS_PORT', get('METRICS_PORT'), 1, 65535), 0)
      : undefined,
    corsOrigins: read(() => corsOrigins(env.CORS_ORIGINS || '*'), '*'),
    logFormat: read(() => oneOf('LOG_FORMAT', ['json', 'pretty'] as const, 'json'), 'json'),
    logLevel: read(() => oneOf('LOG_LEVEL', LOG_LEVELS, 'info'), 'info'),
    logRequests: read(() => oneOf('LOG_REQUESTS', ['1', '0'] as const, '1'), '1') === '1',
    shutdownDelayMs: set('SHUTDOWN_DELAY_MS')
      ? read(() => wholeNumber('SHUTDOWN_DELAY_MS', get('SHUTDOWN_DELAY_MS'), 0, 600_000), 0)
      : 0,
    maxImagePixels: set('MAX_IMAGE_PIXELS')
      ? read(() => maxImagePixels(env.MAX_IMAGE_PIXELS ?? ''), undefined)
      : undefined,
    smallFaceDetector: read(
      () => oneOf('SMALL_FACE_DETECTOR', SMALL_FACE_DETECTORS, SMALL_FACE_DETECTORS[0]),
      SMALL_FACE_DETECTORS[0],
    ),
    minFaceSize: set('MIN_FACE_SIZE')
      ? read(() => wholeNumber('MIN_FACE_SIZE', get('MIN_FACE_SIZE'), 0, 4096), undefined)
      : undefined,
    httpTimeouts: read(() => httpTimeouts(env), httpTimeouts({})),
    streamLimits: read(() => streamLimits(env), streamLimits({})),
  };
  if (problems.length > 0) throw new Error(`invalid settings:\n  ${problems.join('\n  ')}`);
  return settings;
}

function readKeysFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`API_KEYS_FILE: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
}

/** The settings as the start-up log shows them: no key, no hash; key names only. */
export function describeSettings(settings: Settings): Record<string, unknown> {
  return {
    ...settings,
    apiKeys: settings.apiKeys.length > 0 ? settings.apiKeys.map((key) => key.name) : 'off',
    rateLimit: settings.rateLimit ? `${settings.rateLimit.text}, burst ${settings.rateLimit.burst}` : 'off',
    rateLimitStore: describeStore(settings.rateLimitStore),
    metricsPort: settings.metricsPort ?? 'main listener',
  };
}
