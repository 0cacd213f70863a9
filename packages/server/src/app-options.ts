/** What createApp takes; every field is optional and its default is the open, single-process server. */
import type { Logger } from 'pino';

import type { NamedKeyHash, RateLimitSettings, StreamLimits } from './types.js';
import type { Metrics } from './metrics.js';
import type { BucketStore } from './rate-limit.js';
import type { StreamLeases } from './redis-stream-leases.js';
import type { TrustProxy } from './trusted-proxies.js';

export interface AppOptions {
  /** Largest request body in bytes; larger is 413. Default 25 MiB (`DEFAULT_MAX_BODY_BYTES`). */
  maxBodyBytes?: number;
  /** Folder of the built web client served at `/`; `null` serves none. Default: @emotion/web's dist. */
  webRoot?: string | null;
  /** Where internal faults and, with `logRequests`, one JSON line per request go; default: stderr for faults only. */
  logger?: Logger;
  /** One log line per request (LOG_REQUESTS); default true when there is a logger. */
  logRequests?: boolean;
  /**
   * Most requests with an inference running or waiting; more get 503 "Server busy".
   * Default: 4 × the CPUs (admission.ts explains the choice).
   */
  maxQueue?: number;
  /** API keys (API_KEYS, API_KEYS_FILE); empty or absent: the API is open. */
  apiKeys?: readonly NamedKeyHash[];
  /** A token bucket per key (or per client address without keys); absent: no limit. */
  rateLimit?: RateLimitSettings;
  /** Where the buckets live; default: this process's memory. */
  rateLimitStore?: BucketStore;
  /** Leases in Redis that make STREAM_MAX_PER_CALLER fleet-wide; default: counted in this process only. */
  streamLeases?: StreamLeases;
  /** Proxies in front of us whose X-Forwarded-For entries to trust (TRUST_PROXY): a hop count or their addresses; default 0. */
  trustProxy?: TrustProxy;
  /** Origins allowed to call the API from a browser (CORS_ORIGINS); default `*`. */
  corsOrigins?: '*' | string[];
  /** Where to count; default: a registry of this app's own, without process metrics. */
  metrics?: Metrics;
  /** Serve GET /metrics on this app; false when it has its own listener (METRICS_PORT). Default true. */
  serveMetrics?: boolean;
  /** True once the server is shutting down: /health/ready answers 503 so load balancers stop sending. */
  draining?: () => boolean;
  /** What live streams may hold and how many may be open (STREAM_*); default: config.ts's defaults. */
  streamLimits?: StreamLimits;
}
