/**
 * Every setting the server reads: one zod schema of the environment, with each variable's type,
 * default and what it does. config.ts turns its output into the server's settings; the table in
 * docs/settings.md is generated from it (settingsTable).
 */
import { SMALL_FACE_DETECTORS } from '@emotion/core';
import { z } from 'zod';

import { DEFAULT_MAX_BODY_BYTES, DEFAULT_QUEUE_PER_THREAD, DEFAULT_STORE_TIMEOUT_MS } from './defaults.js';
import {
  corsOrigins,
  defaulted,
  docs,
  MIN_KEY_LENGTH,
  ms,
  oneOf,
  rate,
  redisUrl,
  type SettingDoc,
  variable,
  wholeNumber,
} from './settings-parsers.js';
import { parseTrustProxy, type TrustProxy } from './trusted-proxies.js';
import { LOG_LEVELS, STORE_FAILURE_MODES } from './types.js';

export const SETTINGS = z.object({
  HOST: defaulted((raw) => raw, '127.0.0.1', {
    section: 'Listening',
    description: 'Address to listen on; `0.0.0.0` for every interface (containers)',
  }),
  PORT: defaulted(wholeNumber('PORT', 0, 65535), 5000, {
    section: 'Listening',
    description: 'Port to listen on; 0 picks a free one (the log says which)',
  }),
  WEB_ROOT: variable((raw) => raw, {
    section: 'Listening',
    default: "@emotion/web's dist",
    description: 'Folder of the web client served at `/`',
  }),
  SHUTDOWN_DELAY_MS: defaulted(ms('SHUTDOWN_DELAY_MS', 0, 600_000), 0, {
    section: 'Listening',
    description: 'After SIGTERM, how long `/health/ready` answers 503 before the listener closes',
  }),
  MAX_BODY_MB: defaulted(
    (raw) => {
      const megabytes = Number(raw);
      if (!/^\d+(\.\d+)?$/.test(raw) || !(megabytes > 0))
        throw new Error(`MAX_BODY_MB must be a positive number of MiB, got "${raw}"`);
      return Math.floor(megabytes * 1024 * 1024);
    },
    DEFAULT_MAX_BODY_BYTES,
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
  HEADERS_TIMEOUT_MS: defaulted(ms('HEADERS_TIMEOUT_MS'), 10_000, {
    section: 'Requests',
    description: 'The request line and headers must arrive within it (408 after)',
  }),
  REQUEST_TIMEOUT_MS: defaulted(ms('REQUEST_TIMEOUT_MS'), 30_000, {
    section: 'Requests',
    description: 'A whole request, and a whole stream frame, must arrive within it',
  }),
  KEEP_ALIVE_TIMEOUT_MS: defaulted(ms('KEEP_ALIVE_TIMEOUT_MS'), 5_000, {
    section: 'Requests',
    description: 'An idle keep-alive connection is closed after it',
  }),
  CORS_ORIGINS: defaulted(corsOrigins, '*' as '*' | string[], {
    section: 'Requests',
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
  SMALL_FACE_DETECTOR: defaulted(oneOf('SMALL_FACE_DETECTOR', SMALL_FACE_DETECTORS), SMALL_FACE_DETECTORS[0], {
    section: 'Engine',
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
  RATE_LIMIT_STORE: defaulted(redisUrl, 'memory', {
    section: 'API keys and rate limits',
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
  TRUST_PROXY: defaulted(parseTrustProxy, 0 as TrustProxy, {
    section: 'API keys and rate limits',
    description:
      'Proxies whose X-Forwarded-For to believe: a hop count, or addresses and CIDR ranges (`loopback`, `private`)',
  }),
  STREAM_MAX_PER_CALLER: defaulted(wholeNumber('STREAM_MAX_PER_CALLER', 1, 10_000), 4, {
    section: 'Live stream',
    description: 'Open streams per key (per address without keys); more get 429',
  }),
  STREAM_MAX_OPEN: defaulted(wholeNumber('STREAM_MAX_OPEN', 1, 100_000), 32, {
    section: 'Live stream',
    description: 'Open streams in all; more get 503',
  }),
  STREAM_MAX_BUFFERED_KB: defaulted(wholeNumber('STREAM_MAX_BUFFERED_KB', 16, 1_048_576), 1024, {
    section: 'Live stream',
    description: 'Answers a client has not read; past it new answers are dropped (`answersDropped`)',
  }),
  STREAM_IDLE_TIMEOUT_MS: defaulted(ms('STREAM_IDLE_TIMEOUT_MS', 1_000), 60_000, {
    section: 'Live stream',
    description: 'A stream without a frame for this long is closed (1000)',
  }),
  STREAM_HEARTBEAT_MS: defaulted(ms('STREAM_HEARTBEAT_MS', 100, 600_000), 15_000, {
    section: 'Live stream',
    description: 'Ping interval; a client that missed the last pong is cut',
  }),
  LOG_FORMAT: defaulted(oneOf('LOG_FORMAT', ['json', 'pretty'] as const), 'json', {
    section: 'Logs and metrics',
    description: 'JSON lines, or pretty for a terminal',
  }),
  LOG_LEVEL: defaulted(oneOf('LOG_LEVEL', LOG_LEVELS), 'info', {
    section: 'Logs and metrics',
    description: LOG_LEVELS.join(', '),
  }),
  LOG_REQUESTS: defaulted(oneOf('LOG_REQUESTS', ['1', '0'] as const), '1', {
    section: 'Logs and metrics',
    description: 'One log line per request (never a body, a query or a key)',
  }),
  METRICS_PORT: variable(wholeNumber('METRICS_PORT', 1, 65535), {
    section: 'Logs and metrics',
    default: 'main listener',
    description: 'Serve `/metrics` on a listener of its own instead',
  }),
});

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
