/**
 * The server's settings, read once from the environment through one zod schema
 * (settings-schema.ts): the typed settings, one error line per bad variable (all reported
 * together, each naming the variable and what it accepts), and the engine's options. A default
 * lives in the schema once; where the engine has its own (pixel limit, face size), the setting
 * stays unset and the engine's applies. The schema also writes docs/settings.md's table.
 */
import { readFileSync } from 'node:fs';

import type { z } from 'zod';

import { defaultThreads, type EngineOptions } from '@emotion/core';

import { DEFAULT_QUEUE_PER_THREAD, DEFAULT_STORE_TIMEOUT_MS } from './defaults.js';
import { type RedisStoreSettings, redactedUrl } from './redis-buckets.js';
import { parseKeysFile, quickStartKeys } from './settings-parsers.js';
import { SETTINGS } from './settings-schema.js';
import type { TrustProxy } from './trusted-proxies.js';
import {
  type HttpTimeouts,
  type ListenConfig,
  type LogFormat,
  type LogLevel,
  type NamedKeyHash,
  type RateLimitSettings,
  STORE_FAILURE_MODES,
  type StreamLimits,
} from './types.js';

export { parseKeysFile } from './settings-parsers.js';
export { SETTINGS, settingsTable } from './settings-schema.js';

export interface Settings {
  listen: ListenConfig;
  maxBodyBytes: number;
  inferenceThreads: number;
  maxQueue: number;
  webRoot: string | undefined;
  /** Empty: keys are off and the API is open. */
  apiKeys: NamedKeyHash[];
  rateLimit: RateLimitSettings | undefined;
  /** RATE_LIMIT_STORE=redis://… and its companions; undefined: in memory. */
  rateLimitStore: RedisStoreSettings | undefined;
  trustProxy: TrustProxy;
  metricsPort: number | undefined;
  corsOrigins: '*' | string[];
  logFormat: LogFormat;
  logLevel: LogLevel;
  logRequests: boolean;
  shutdownDelayMs: number;
  /** What the engine is created with: its limits, its threads and its small-face pass. */
  engine: EngineOptions;
  httpTimeouts: HttpTimeouts;
  streamLimits: StreamLimits;
}

/**
 * Reads and checks every setting once. Each bad variable gets one line naming it and what it
 * accepts; all of them are reported together.
 */
export function readSettings(env: NodeJS.ProcessEnv = process.env, readFile = readKeysFile): Settings {
  const problems: string[] = [];
  const parsed = SETTINGS.safeParse(env);
  if (!parsed.success) problems.push(...parsed.error.issues.map((issue) => issue.message));
  const v = parsed.success ? parsed.data : SETTINGS.parse({});
  const check = <T>(fn: () => T, fallback: T): T => {
    try {
      return fn();
    } catch (error) {
      problems.push((error as Error).message);
      return fallback;
    }
  };

  const apiKeys = check(() => {
    // A Secret with an empty value would otherwise deploy an open API: set but empty is an error.
    for (const name of ['API_KEYS', 'API_KEYS_FILE'] as const) {
      if (v[name] !== undefined && v[name].trim() === '')
        throw new Error(`${name} is set but empty: give it a value, or unset it to run without API keys`);
    }
    const keys = [
      ...(v.API_KEYS ? quickStartKeys(v.API_KEYS) : []),
      ...(v.API_KEYS_FILE ? parseKeysFile(readFile(v.API_KEYS_FILE), v.API_KEYS_FILE) : []),
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

  const limit = v.RATE_LIMIT;
  if (!limit && v.RATE_LIMIT_BURST !== undefined) problems.push('RATE_LIMIT_BURST needs RATE_LIMIT');
  // Default burst: one period's count, so "600/min" lets 600 through at once, then 10/s.
  const rateLimit = limit && {
    perSecond: limit.perSecond,
    burst: v.RATE_LIMIT_BURST ?? Math.max(1, Math.floor(limit.count)),
    text: limit.text,
  };
  const store = v.RATE_LIMIT_STORE;
  const companions = ['RATE_LIMIT_STORE_PASSWORD', 'RATE_LIMIT_STORE_TIMEOUT_MS', 'RATE_LIMIT_STORE_FAILURE'] as const;
  const stray = companions.find((name) => v[name] !== undefined);
  if (store === 'memory' && stray) problems.push(`${stray} needs RATE_LIMIT_STORE=redis://…`);
  if (store !== 'memory' && !rateLimit) problems.push('RATE_LIMIT_STORE needs RATE_LIMIT');

  const headersTimeout = v.HEADERS_TIMEOUT_MS;
  const requestTimeout = v.REQUEST_TIMEOUT_MS;
  // Node refuses the combination; say which settings are at fault.
  if (headersTimeout > requestTimeout)
    problems.push(`HEADERS_TIMEOUT_MS (${headersTimeout}) must not exceed REQUEST_TIMEOUT_MS (${requestTimeout})`);

  if (problems.length > 0) throw new Error(`invalid settings:\n  ${problems.join('\n  ')}`);

  const threads = v.INFERENCE_THREADS ?? defaultThreads();
  const maxBodyBytes = v.MAX_BODY_MB;
  return {
    listen: { host: v.HOST, port: v.PORT },
    maxBodyBytes,
    inferenceThreads: threads,
    maxQueue: v.MAX_QUEUE ?? DEFAULT_QUEUE_PER_THREAD * threads,
    webRoot: v.WEB_ROOT,
    apiKeys,
    rateLimit: rateLimit || undefined,
    rateLimitStore:
      store === 'memory'
        ? undefined
        : {
            url: store,
            password: v.RATE_LIMIT_STORE_PASSWORD,
            timeoutMs: v.RATE_LIMIT_STORE_TIMEOUT_MS ?? DEFAULT_STORE_TIMEOUT_MS,
            onFailure: v.RATE_LIMIT_STORE_FAILURE ?? STORE_FAILURE_MODES[0],
          },
    trustProxy: v.TRUST_PROXY,
    metricsPort: v.METRICS_PORT,
    corsOrigins: v.CORS_ORIGINS,
    logFormat: v.LOG_FORMAT,
    logLevel: v.LOG_LEVEL,
    logRequests: v.LOG_REQUESTS === '1',
    shutdownDelayMs: v.SHUTDOWN_DELAY_MS,
    engine: {
      threads: v.INFERENCE_THREADS,
      maxPixels: v.MAX_IMAGE_PIXELS,
      // The engine's own limit on an encoded image would otherwise stay at its 25 MiB default.
      maxEncodedBytes: maxBodyBytes,
      smallFaceDetector: v.SMALL_FACE_DETECTOR,
      minFaceSize: v.MIN_FACE_SIZE,
    },
    httpTimeouts: {
      headersTimeout,
      requestTimeout,
      keepAliveTimeout: v.KEEP_ALIVE_TIMEOUT_MS,
      connectionsCheckingInterval: Math.min(1_000, Math.ceil(headersTimeout / 4)),
    },
    streamLimits: streamLimits(v),
  };
}

function streamLimits(v: z.output<typeof SETTINGS>): StreamLimits {
  return {
    maxPerCaller: v.STREAM_MAX_PER_CALLER,
    maxOpen: v.STREAM_MAX_OPEN,
    maxBufferedBytes: v.STREAM_MAX_BUFFERED_KB * 1024,
    idleTimeoutMs: v.STREAM_IDLE_TIMEOUT_MS,
    heartbeatMs: v.STREAM_HEARTBEAT_MS,
    frameTimeoutMs: v.REQUEST_TIMEOUT_MS,
  };
}

/** The stream limits with every STREAM_* unset: what createApp uses when given none. */
export const defaultStreamLimits = (): StreamLimits => streamLimits(SETTINGS.parse({}));

function readKeysFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`API_KEYS_FILE: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
}

/** The settings as the start-up log shows them: no key, no hash, no password; key names only. */
export function describeSettings(settings: Settings): Record<string, unknown> {
  return {
    ...settings,
    apiKeys: settings.apiKeys.length > 0 ? settings.apiKeys.map((key) => key.name) : 'off',
    rateLimit: settings.rateLimit ? `${settings.rateLimit.text}, burst ${settings.rateLimit.burst}` : 'off',
    rateLimitStore: describeStore(settings.rateLimitStore),
    metricsPort: settings.metricsPort ?? 'main listener',
  };
}

/** The store as the start-up log shows it: no password. */
function describeStore(store: RedisStoreSettings | undefined): string {
  if (!store) return 'memory';
  const password = store.password !== undefined ? ', password set' : '';
  return `${redactedUrl(store.url)} (timeout ${store.timeoutMs} ms, on failure: ${store.onFailure}${password})`;
}
