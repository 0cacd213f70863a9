/** The shapes the settings give the rest of the server (config.ts reads them from the environment). */

export type LogFormat = 'json' | 'pretty';
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ListenConfig {
  host: string;
  port: number;
}

/** RATE_LIMIT and RATE_LIMIT_BURST: a token bucket of `burst` tokens refilled at `perSecond`. */
export interface RateLimitSettings {
  /** Tokens added per second (RATE_LIMIT's count over its period). */
  perSecond: number;
  /** Bucket size: how many requests may come at once after a quiet spell. */
  burst: number;
  /** RATE_LIMIT as written, for the start-up log. */
  text: string;
}

/** A key from API_KEYS_FILE or API_KEYS: its name (for logs) and the SHA-256 of the key. */
export interface NamedKeyHash {
  name: string;
  sha256: Buffer;
}

/** How long a client may take (HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS, KEEP_ALIVE_TIMEOUT_MS). */
export interface HttpTimeouts {
  headersTimeout: number;
  requestTimeout: number;
  keepAliveTimeout: number;
  /** How often Node checks for expired requests: its precision. */
  connectionsCheckingInterval: number;
}

/** What one live stream may hold and how many may be open (STREAM_*); why: stream.ts. */
export interface StreamLimits {
  maxPerCaller: number;
  maxOpen: number;
  maxBufferedBytes: number;
  idleTimeoutMs: number;
  heartbeatMs: number;
  /** A frame must arrive whole within REQUEST_TIMEOUT_MS, as a request must. */
  frameTimeoutMs: number;
}

/** What a Redis-backed store does when Redis does not answer (RATE_LIMIT_STORE_FAILURE): `local`, this process's own state; `closed`, 503. */
export const STORE_FAILURE_MODES = ['local', 'closed'] as const;
export type StoreFailureMode = (typeof STORE_FAILURE_MODES)[number];

/** RATE_LIMIT_STORE=redis://… and its companions (config.ts). */
export interface RedisStoreSettings {
  /** redis:// or rediss:// URL; a password in it is read but never shown (describeSettings). */
  url: string;
  /** RATE_LIMIT_STORE_PASSWORD, e.g. from a Secret; overrides one in the URL. */
  password: string | undefined;
  /** How long a take may wait for Redis before the failure mode applies. */
  timeoutMs: number;
  onFailure: StoreFailureMode;
}
