/**
 * How both Redis-backed stores (rate-limit buckets, stream leases) connect, and whether Redis
 * answers, as they track it: the shared `emotion_rate_limit_store_up` gauge and `_failures_total` counter, one log line
 * per change rather than per request, and a short pause after a failure, so a stalled Redis costs
 * one timeout per second instead of one per request.
 */
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';

import { Redis } from 'ioredis';

import type { RedisStoreSettings, StoreFailureMode } from './types.js';

/** How long a store leaves Redis alone after a failed call. */
const BACKOFF_MS = 1_000;

/**
 * A client whose commands fail at once when they cannot be sent (the store's failure mode then
 * applies) instead of waiting in a queue; it reconnects for ever, at most 2 s apart (ioredis'
 * default), so Redis's return is noticed.
 */
export function redisClient(settings: RedisStoreSettings): Redis {
  return new Redis(settings.url, {
    ...(settings.password !== undefined ? { password: settings.password } : {}),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: settings.timeoutMs,
    connectTimeout: Math.max(1_000, settings.timeoutMs),
  });
}

/** Resolves once `redis` is connected, or rejects with its first connection error. */
export function whenConnected(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    redis.once('ready', resolve);
    redis.once('error', reject);
  });
}

export interface StoreHealthOptions {
  /** What the store does, for the log: "rate limits", "stream caps". */
  subject: string;
  /** What sharing means, for the log once Redis answers: "buckets are shared". */
  shared: string;
  /** What is used instead while Redis is down, by failure mode. */
  instead: Record<StoreFailureMode, string>;
  onFailure: StoreFailureMode;
  /** Log the first answer after start-up too (one store should; the other would repeat it). */
  announceStart: boolean;
  logger?: Pick<Logger, 'info' | 'warn'>;
  registry?: Registry;
}

export interface StoreHealth {
  /** A call answered. */
  markUp(): void;
  /** A call failed (or the connection did); `pause` also leaves Redis alone for a moment. */
  markDown(reason: string, pause?: boolean): void;
  /** Still connecting since start-up: not an outage yet. */
  readonly starting: boolean;
  /** Within the pause after a failure. */
  readonly pausing: boolean;
  /** Counts a call answered by the failure mode instead of Redis. */
  countFallback(): void;
}

export function storeHealth(options: StoreHealthOptions): StoreHealth & { connected(): void } {
  const { failures, up } = storeMetrics(options.registry);
  up?.set(0);
  let state: 'starting' | 'up' | 'down' = 'starting';
  let pauseUntil = 0;
  return {
    markUp() {
      if (state === 'down' || (state === 'starting' && options.announceStart))
        options.logger?.info(`${options.subject}: the shared store (Redis) answers; ${options.shared}`);
      state = 'up';
      up?.set(1);
    },
    markDown(reason, pause = false) {
      if (state !== 'down')
        options.logger?.warn(
          `${options.subject}: the shared store (Redis) failed (${reason}); using ${options.instead[options.onFailure]} until it is back`,
        );
      state = 'down';
      up?.set(0);
      if (pause) pauseUntil = Date.now() + BACKOFF_MS;
    },
    get starting() {
      return state === 'starting';
    },
    get pausing() {
      return Date.now() < pauseUntil;
    },
    countFallback: () => failures?.inc({ fallback: options.onFailure }),
    /** The connection is (back) up: calls may try Redis at once. */
    connected() {
      pauseUntil = 0;
    },
  };
}

/** The two metrics, created once per registry whichever store asks first. */
function storeMetrics(registry: Registry | undefined) {
  if (!registry) return {};
  const failures =
    (registry.getSingleMetric('emotion_rate_limit_store_failures_total') as Counter<'fallback'> | undefined) ??
    new Counter({
      name: 'emotion_rate_limit_store_failures_total',
      help: 'Rate-limit takes and stream admissions the shared store (Redis) did not answer in time, by what was done instead',
      labelNames: ['fallback'],
      registers: [registry],
    });
  const up =
    (registry.getSingleMetric('emotion_rate_limit_store_up') as Gauge | undefined) ??
    new Gauge({
      name: 'emotion_rate_limit_store_up',
      help: '1 while the shared store (Redis) answers, 0 while calls fall back or are refused',
      registers: [registry],
    });
  return { failures, up };
}
