/**
 * What every API route (/predict, /v1/*) checks before it reads a body: CORS, then the caller's
 * rate-limit bucket (its key's, or its address's when it has no right key), then the key, then
 * `Expect: 100-continue` is answered. CORS goes first so a browser's preflight (which carries no
 * key) is answered; the key is identified before the bucket is taken so requests without a
 * right key are limited per address, and a flood of them gets 429 too.
 */
import type { Context, MiddlewareHandler } from 'hono';

import { identifyKey, refuseWithoutKey } from './auth.js';
import { limitBody } from './body-limit.js';
import { callerBucket } from './client-address.js';
import type { NamedKeyHash, RateLimitSettings } from './types.js';
import type { ServerEnv } from './context.js';
import { corsHeaders } from './cors.js';
import type { Metrics } from './metrics.js';
import { type BucketStore, memoryBuckets, rateLimit } from './rate-limit.js';
import { answerFailure } from './replies.js';
import type { TrustProxy } from './trusted-proxies.js';

export interface GuardOptions {
  keys: readonly NamedKeyHash[];
  rateLimit?: RateLimitSettings;
  rateLimitStore?: BucketStore;
  trustProxy: TrustProxy;
  corsOrigins: '*' | string[];
  metrics: Metrics;
}

export interface ApiGuards {
  middleware: MiddlewareHandler<ServerEnv>[];
  /** Who a request is, for buckets and stream caps: `key:<name>` or `ip:<address>`. */
  callerOf: (c: Context<ServerEnv>) => string;
  /** The rate limit's buckets (one store for requests and stream frames), when there is a limit. */
  buckets: BucketStore | undefined;
}

export function apiGuards(options: GuardOptions): ApiGuards {
  const callerOf = (c: Context<ServerEnv>) => callerBucket(c, options.trustProxy);
  const buckets = options.rateLimit ? (options.rateLimitStore ?? memoryBuckets(options.rateLimit)) : undefined;
  // Browser clients on other origins (the seed's web page, a dev server) call the API too, and
  // may read Retry-After on a 503 or 429 and the rate limit's headers.
  const middleware: MiddlewareHandler<ServerEnv>[] = [
    corsHeaders({
      origin: options.corsOrigins,
      exposeHeaders: ['Retry-After', 'X-Request-Id', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'],
    }),
  ];
  if (options.keys.length > 0) middleware.push(identifyKey(options.keys));
  if (options.rateLimit && buckets) {
    middleware.push(
      rateLimit(options.rateLimit, callerOf, {
        store: buckets,
        onRefused: () => options.metrics.rateLimitRefusals.inc(),
      }),
    );
  }
  if (options.keys.length > 0) middleware.push(refuseWithoutKey);
  middleware.push(continueUpload);
  return { middleware, callerOf, buckets };
}

/**
 * Node answers `Expect: 100-continue` with 100 itself unless told otherwise (server.ts routes
 * 'checkContinue' here): sent only once the key and rate-limit checks have let the request
 * through, so a refused client gets its 401 or 429 without uploading the body first.
 */
const continueUpload: MiddlewareHandler = async (c, next) => {
  const outgoing = (c.env as { outgoing?: { writeContinue?: () => void } } | undefined)?.outgoing;
  if (c.req.header('expect')?.toLowerCase() === '100-continue') outgoing?.writeContinue?.();
  await next();
};

/** 413 past `maxBodyBytes`, before the body is read (body-limit.ts). */
export function bodyLimit(maxBodyBytes: number): MiddlewareHandler {
  return limitBody(maxBodyBytes, (c) =>
    answerFailure(c, {
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
      message: `Request body too large: the limit is ${maxBodyBytes} bytes`,
    }),
  );
}
