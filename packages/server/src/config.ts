/**
 * The server's settings: one zod schema of the environment (SETTINGS) gives the typed settings,
 * one error line per bad variable (all reported together, each naming the variable and what it
 * accepts), the engine's options, and the settings table in docs/settings.md, which
 * `pnpm --filter @emotion/server settings-table` writes and a test checks. A default lives here
 * once; where the engine has its own (pixel limit, face size), the setting stays unset and the
 * engine's applies.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { defaultThreads, type EngineOptions, SMALL_FACE_DETECTORS } from '@emotion/core';
import { z } from 'zod';

import { DEFAULT_MAX_BODY_BYTES, DEFAULT_QUEUE_PER_THREAD, DEFAULT_STORE_TIMEOUT_MS } from './defaults.js';
import { type RedisStoreSettings, redactedUrl } from './redis-buckets.js';
import { parseTrustProxy, type TrustProxy } from './trusted-proxies.js';
import {
  type HttpTimeouts,
  type ListenConfig,
  LOG_LEVELS,
  type LogFormat,
  type LogLevel,
  type NamedKeyHash,
  type RateLimitSettings,
  STORE_FAILURE_MODES,
  type StreamLimits,
} from './types.js';

export const MIN_KEY_LENGTH = 16;

// ---- the building blocks: each turns the variable's text into its value or one error line ----

type Section = 'Listening' | 'Requests' | 'Engine' | 'API keys and rate limits' | 'Live stream' | 'Logs and metrics';
interface SettingDoc {
  section: Section;
  /** The default as the table shows it. */
  default: string;
  description: string;
}
const docs = z.registry<SettingDoc>();

/** A variable: blank counts as unset; `parse` throws the error line for a bad value. */
function variable<T>(parse: (raw: string) => T, doc: SettingDoc) {
  const schema = z.preprocess(
    (raw) => (raw === '' ? undefined : raw),
    z
      .string()
      .optional()
      .transform((raw, ctx) => {
        if (raw === undefined) return undefined;
        try {
          return parse(raw);
        } catch (error) {
          ctx.issues.push({ code: 'custom', message: (error as Error).message, input: raw });
          return z.NEVER;
        }
      }),
  );
  return schema.register(docs, doc);
}

function wholeNumber(name: string, min: number, max: number) {
  return (raw: string) => {
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max)
      throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
    return value;
  };
}

function oneOf<const T extends string>(name: string, values: readonly T[]) {
  return (raw: string): T => {
    if (!(values as readonly string[]).includes(raw))
      throw new Error(`${name} must be one of ${values.join(', ')}, got "${raw}"`);
    return raw as T;
  };
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

/** "600/min", "10/s", "5000/hour" → the count and requests per second; "off" → undefined. */
function rate(text: string): { perSecond: number; count: number; text: string } | undefined {
  if (text === 'off') return undefined;
  const match = /^(\d+(?:\.\d+)?)\s*\/\s*([a-z]+)$/i.exec(text.trim());
  const period = match ? PERIOD_SECONDS[(match[2] ?? '').toLowerCase()] : undefined;
  const count = Number(match?.[1]);
  if (!match || period === undefined || !(count > 0))
    throw new Error(`RATE_LIMIT must be a count per period such as 600/min, 10/s or 5000/hour, got "${text}"`);
  return { perSecond: count / period, count, text: text.trim() };
}

/** API_KEYS: comma-separated keys, named key1, key2… by position, so a log can say which was used. */
function quickStartKeys(list: string): NamedKeyHash[] {
  const keys = list
    .split(',')
    .map((key) => key.trim())
    .filter(Boolean);
  if (keys.length === 0 || keys.some((key) => key.length < MIN_KEY_LENGTH || /\s/.test(key)))
    throw new Error(
      `API_KEYS must be comma-separated keys of at least ${MIN_KEY_LENGTH} characters without spaces (e.g. from "openssl rand -hex 32")`,
    );
  return keys.map((key, index) => ({ name: `key${index + 1}`, sha256: createHash('sha256').update(key).digest() }));
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
    if (!match)
      throw new Error(
        `API_KEYS_FILE (${path}) line ${index + 1}: expected "name:sha256-hex" (a name of letters, digits, . _ - @ and the key's 64-digit SHA-256)`,
      );
    const [, name = '', hex = ''] = match;
    keys.push({ name, sha256: Buffer.from(hex, 'hex') });
  });
  if (keys.length === 0) throw new Error(`API_KEYS_FILE (${path}) holds no key`);
  return keys;
}

function corsOrigins(raw: string): '*' | string[] {
  if (raw.trim() === '*') return '*';
  const origins = raw
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  if (origins.length === 0 || origins.some((origin) => !/^https?:\/\/[^/\s]+$/.test(origin)))
    throw new Error(
      `CORS_ORIGINS must be * or comma-separated origins such as https://app.example.com (scheme and host, no path), got "${raw}"`,
    );
  return origins;
}

function redisUrl(raw: string): string {
  if (raw === 'memory') return raw;
  if (!/^rediss?:\/\/[^/\s]+/.test(raw) || !URL.canParse(raw))
    throw new Error(
      'RATE_LIMIT_STORE must be memory or a redis:// (or rediss://) URL such as redis://redis:6379 (the password in RATE_LIMIT_STORE_PASSWORD)',
    );
  return raw;
}

const ms = (name: string, min = 1, max = 3_600_000) => wholeNumber(name, min, max);

// ---- the schema: every variable, its type, its default and what it does ----

export const SETTINGS = z.object({
  HOST: variable((raw) => raw, {
    section: 'Listening',
    default: '127.0.0.1',
    description: 'Address to listen on; `0.0.0.0` for every interface (containers)',
  }),
  PORT: variable(wholeNumber('PORT', 0, 65535), {
    section: 'Listening',
    default: '5000',
    description: 'Port to listen on; 0 picks a free one (the log says which)',
  }),
  WEB_ROOT: variable((raw) => raw, {
    section: 'Listening',
    default: "@emotion/web's dist",
    description: 'Folder of the web client served at `/`',
  }),
  SHUTDOWN_DELAY_MS: variable(ms('SHUTDOWN_DELAY_MS', 0, 600_000), {
    section: 'Listening',
    default: '0',
    description: 'After SIGTERM, how long `/health/ready` answers 503 before the listener closes',
  }),
  MAX_BODY_MB: variable(
    (raw) => {
      const megabytes = Number(raw);
      if (!/^\d+(\.\d+)?$/.test(raw) || !(megabytes > 0))
        throw new Error(`MAX_BODY_MB must be a positive number of MiB, got "${raw}"`);
      return Math.floor(megabytes * 1024 * 1024);
    },
    {
      section: 'Requests',
      default: String(DEFAULT_MAX_BODY_BYTES / 1024 / 1024),
      description: 'Largest request body, stream frame and encoded image, in MiB; larger gets 413',
    },
  ),
  MAX_IMAGE_PIXELS: variable(wholeNumber('MAX_IMAGE_PIXELS', 1, 1_000_000_000), {
    section: 'Requests',
    default: "the engine's (4096 × 4096)",
    description: 'Largest width × height decoded; larger gets 413 from the header alone',
  }),
  HEADERS_TIMEOUT_MS: variable(ms('HEADERS_TIMEOUT_MS'), {
    section: 'Requests',
    default: '10000',
    description: 'The request line and headers must arrive within it (408 after)',
  }),
  REQUEST_TIMEOUT_MS: variable(ms('REQUEST_TIMEOUT_MS'), {
    section: 'Requests',
    default: '30000',
    description: 'A whole request, and a whole stream frame, must arrive within it',
  }),
  KEEP_ALIVE_TIMEOUT_MS: variable(ms('KEEP_ALIVE_TIMEOUT_MS'), {
    section: 'Requests',
    default: '5000',
    description: 'An idle keep-alive connection is closed after it',
  }),
  CORS_ORIGINS: variable(corsOrigins, {
    section: 'Requests',
    default: '*',
    description: 'Origins whose pages may call the API, comma-separated',
  }),
  INFERENCE_THREADS: variable(wholeNumber('INFERENCE_THREADS', 1, 1024), {
    section: 'Engine',
    default: "the CPU quota's whole cores, else every CPU",
    description: 'Inferences that run at once, each on one thread of the engine',
  }),
  MAX_QUEUE: variable(wholeNumber('MAX_QUEUE', 1, 1_000_000), {
    section: 'Engine',
    default: `${DEFAULT_QUEUE_PER_THREAD} × INFERENCE_THREADS`,
    description: 'Requests with an inference running or waiting; more get 503 with Retry-After',
  }),
  SMALL_FACE_DETECTOR: variable(oneOf('SMALL_FACE_DETECTOR', SMALL_FACE_DETECTORS), {
    section: 'Engine',
    default: SMALL_FACE_DETECTORS[0],
    description: `The pass for faces the short-range detector misses: ${SMALL_FACE_DETECTORS.join(' or ')}`,
  }),
  MIN_FACE_SIZE: variable(wholeNumber('MIN_FACE_SIZE', 0, 4096), {
    section: 'Engine',
    default: "the engine's (48)",
    description: 'Smallest face width in pixels looked for; 0: no small-face pass',
  }),
  API_KEYS: z
    .string()
    .optional()
    .register(docs, {
      section: 'API keys and rate limits',
      default: 'off',
      description: `Comma-separated keys (${MIN_KEY_LENGTH}+ characters), named key1, key2…; set but empty is an error`,
    }),
  API_KEYS_FILE: z.string().optional().register(docs, {
    section: 'API keys and rate limits',
    default: 'off',
    description: 'A file of `name:sha256-hex` lines; set but empty is an error',
  }),
  RATE_LIMIT: variable(rate, {
    section: 'API keys and rate limits',
    default: 'off',
    description: 'A token bucket per key (per address without keys), e.g. `600/min`; each stream frame takes a token',
  }),
  RATE_LIMIT_BURST: variable(wholeNumber('RATE_LIMIT_BURST', 1, 1_000_000), {
    section: 'API keys and rate limits',
    default: "one period's count",
    description: "The bucket's size: requests let through at once after a quiet spell",
  }),
  RATE_LIMIT_STORE: variable(redisUrl, {
    section: 'API keys and rate limits',
    default: 'memory',
    description: 'Where buckets live: `memory`, or `redis://host:6379` shared by every replica (docs/fleet.md)',
  }),
  RATE_LIMIT_STORE_PASSWORD: variable((raw) => raw, {
    section: 'API keys and rate limits',
    default: 'none',
    description: "Redis's password (from a Secret); never logged",
  }),
  RATE_LIMIT_STORE_TIMEOUT_MS: variable(ms('RATE_LIMIT_STORE_TIMEOUT_MS', 1, 60_000), {
    section: 'API keys and rate limits',
    default: String(DEFAULT_STORE_TIMEOUT_MS),
    description: 'How long a request waits for Redis',
  }),
  RATE_LIMIT_STORE_FAILURE: variable(oneOf('RATE_LIMIT_STORE_FAILURE', STORE_FAILURE_MODES), {
    section: 'API keys and rate limits',
    default: STORE_FAILURE_MODES[0],
    description: "When Redis does not answer: `local` (this process's buckets) or `closed` (503)",
  }),
  TRUST_PROXY: variable(parseTrustProxy, {
    section: 'API keys and rate limits',
    default: '0',
    description:
      'Proxies whose X-Forwarded-For to believe: a hop count, or addresses and CIDR ranges (`loopback`, `private`)',
  }),
  STREAM_MAX_PER_CALLER: variable(wholeNumber('STREAM_MAX_PER_CALLER', 1, 10_000), {
    section: 'Live stream',
    default: '4',
    description: 'Open streams per key (per address without keys); more get 429',
  }),
  STREAM_MAX_OPEN: variable(wholeNumber('STREAM_MAX_OPEN', 1, 100_000), {
    section: 'Live stream',
    default: '32',
    description: 'Open streams in all; more get 503',
  }),
  STREAM_MAX_BUFFERED_KB: variable(wholeNumber('STREAM_MAX_BUFFERED_KB', 16, 1_048_576), {
    section: 'Live stream',
    default: '1024',
    description: 'Answers a client has not read; past it new answers are dropped (`answersDropped`)',
  }),
  STREAM_IDLE_TIMEOUT_MS: variable(ms('STREAM_IDLE_TIMEOUT_MS', 1_000), {
    section: 'Live stream',
    default: '60000',
    description: 'A stream without a frame for this long is closed (1000)',
  }),
  STREAM_HEARTBEAT_MS: variable(ms('STREAM_HEARTBEAT_MS', 100, 600_000), {
    section: 'Live stream',
    default: '15000',
    description: 'Ping interval; a client that missed the last pong is cut',
  }),
  LOG_FORMAT: variable(oneOf('LOG_FORMAT', ['json', 'pretty'] as const), {
    section: 'Logs and metrics',
    default: 'json',
    description: 'JSON lines, or pretty for a terminal',
  }),
  LOG_LEVEL: variable(oneOf('LOG_LEVEL', LOG_LEVELS), {
    section: 'Logs and metrics',
    default: 'info',
    description: LOG_LEVELS.join(', '),
  }),
  LOG_REQUESTS: variable(oneOf('LOG_REQUESTS', ['1', '0'] as const), {
    section: 'Logs and metrics',
    default: '1',
    description: 'One log line per request (never a body, a query or a key)',
  }),
  METRICS_PORT: variable(wholeNumber('METRICS_PORT', 1, 65535), {
    section: 'Logs and metrics',
    default: 'main listener',
    description: 'Serve `/metrics` on a listener of its own instead',
  }),
});

// ---- what the server works with ----

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
  const store = v.RATE_LIMIT_STORE ?? 'memory';
  const companions = ['RATE_LIMIT_STORE_PASSWORD', 'RATE_LIMIT_STORE_TIMEOUT_MS', 'RATE_LIMIT_STORE_FAILURE'] as const;
  const stray = companions.find((name) => v[name] !== undefined);
  if (store === 'memory' && stray) problems.push(`${stray} needs RATE_LIMIT_STORE=redis://…`);
  if (store !== 'memory' && !rateLimit) problems.push('RATE_LIMIT_STORE needs RATE_LIMIT');

  const headersTimeout = v.HEADERS_TIMEOUT_MS ?? 10_000;
  const requestTimeout = v.REQUEST_TIMEOUT_MS ?? 30_000;
  // Node refuses the combination; say which settings are at fault.
  if (headersTimeout > requestTimeout)
    problems.push(`HEADERS_TIMEOUT_MS (${headersTimeout}) must not exceed REQUEST_TIMEOUT_MS (${requestTimeout})`);

  if (problems.length > 0) throw new Error(`invalid settings:\n  ${problems.join('\n  ')}`);

  const threads = v.INFERENCE_THREADS ?? defaultThreads();
  const maxBodyBytes = v.MAX_BODY_MB ?? DEFAULT_MAX_BODY_BYTES;
  return {
    listen: { host: v.HOST ?? '127.0.0.1', port: v.PORT ?? 5000 },
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
    trustProxy: v.TRUST_PROXY ?? 0,
    metricsPort: v.METRICS_PORT,
    corsOrigins: v.CORS_ORIGINS ?? '*',
    logFormat: v.LOG_FORMAT ?? 'json',
    logLevel: v.LOG_LEVEL ?? 'info',
    logRequests: (v.LOG_REQUESTS ?? '1') === '1',
    shutdownDelayMs: v.SHUTDOWN_DELAY_MS ?? 0,
    engine: {
      threads: v.INFERENCE_THREADS,
      maxPixels: v.MAX_IMAGE_PIXELS,
      // The engine's own limit on an encoded image would otherwise stay at its 25 MiB default.
      maxEncodedBytes: maxBodyBytes,
      smallFaceDetector: v.SMALL_FACE_DETECTOR ?? SMALL_FACE_DETECTORS[0],
      minFaceSize: v.MIN_FACE_SIZE,
    },
    httpTimeouts: {
      headersTimeout,
      requestTimeout,
      keepAliveTimeout: v.KEEP_ALIVE_TIMEOUT_MS ?? 5_000,
      connectionsCheckingInterval: Math.min(1_000, Math.ceil(headersTimeout / 4)),
    },
    streamLimits: {
      maxPerCaller: v.STREAM_MAX_PER_CALLER ?? 4,
      maxOpen: v.STREAM_MAX_OPEN ?? 32,
      maxBufferedBytes: (v.STREAM_MAX_BUFFERED_KB ?? 1024) * 1024,
      idleTimeoutMs: v.STREAM_IDLE_TIMEOUT_MS ?? 60_000,
      heartbeatMs: v.STREAM_HEARTBEAT_MS ?? 15_000,
      frameTimeoutMs: requestTimeout,
    },
  };
}

/** The stream limits with every STREAM_* unset: what createApp uses when given none. */
export const defaultStreamLimits = (): StreamLimits => readSettings({}).streamLimits;

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

/** docs/settings.md's table, from the schema: one row per variable, by section. */
export function settingsTable(): string {
  const rows = Object.entries(SETTINGS.shape).map(([name, schema]) => ({ name, ...(docs.get(schema) as SettingDoc) }));
  const sections = [...new Set(rows.map((row) => row.section))];
  return sections
    .map((section) =>
      [
        `### ${section}`,
        '',
        '| variable | default | what it does |',
        '|---|---|---|',
        ...rows
          .filter((row) => row.section === section)
          .map((row) => `| \`${row.name}\` | ${row.default} | ${row.description} |`),
      ].join('\n'),
    )
    .join('\n\n');
}
