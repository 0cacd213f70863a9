/**
 * The HTTP routes, built around an engine (loaded, or still loading): the app holds no other
 * state than its count of inferences admitted (MAX_QUEUE), so tests drive it with
 * `app.request()` and no socket.
 *
 *   POST /predict      the seed service's contract, byte for byte (../shared/seed/predict-api.txt)
 *   POST /v1/analyze   every face: box, score, emotion probabilities, optional landmarks
 *   GET  /v1/stream    WebSocket: frames in, tracked and smoothed faces out (stream.ts)
 *   GET  /health       200 once the engine is loaded, 503 before; the admission queue's depth
 *   GET  /health/live  200 while the process runs; /health/ready 200 when loaded and not draining
 *   GET  /openapi.json the OpenAPI 3.1 document; /docs, the same as a page (openapi.ts)
 *   GET  /metrics      Prometheus metrics, unless they have their own listener (METRICS_PORT)
 *   GET  /*            the web client (packages/web/dist)
 *
 * Production features are opt-in (AppOptions): API keys, rate limits, CORS origins; with none
 * the API is open, as the seed's was.
 */
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { upgradeWebSocket } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { OpenAPIHono } from '@hono/zod-openapi';
import { zValidator } from '@hono/zod-validator';
import type { Context, MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import type { WebSocketServer } from 'ws';

import { createAdmission } from './admission.js';
import { analyzeAnswer, type ServerEngine } from './answers.js';
import { chooseStreamProtocol, identifyKey, refuseWithoutKey, requireKey } from './auth.js';
import { limitBody } from './body-limit.js';
import { callerBucket } from './client-address.js';
import {
  DEFAULT_QUEUE_PER_THREAD,
  type NamedKeyHash,
  type RateLimitSettings,
  type StreamLimits,
  streamLimits,
} from './config.js';
import type { ServerEnv } from './context.js';
import { corsHeaders } from './cors.js';
import { firstLine, NO_IMAGE, RequestError, ServerBusyError, toHttpFailure, type HttpFailure } from './errors.js';
import { countRequests, createMetrics, type Metrics, observeInference } from './metrics.js';
import { registerDocs } from './openapi.js';
import { createOpenStreams } from './open-streams.js';
import { type BucketStore, memoryBuckets, rateLimit } from './rate-limit.js';
import { logRequests } from './request-log.js';
import { analyzeQuery, jsonBody, multipartBody } from './schemas.js';
import { type InferFrame, streamRoute } from './stream.js';
import type { TrustProxy } from './trusted-proxies.js';
import { createStreamServer, guardUpgrades } from './websocket.js';

export { analyzeAnswer, type ServerEngine } from './answers.js';

export interface AppOptions {
  /** Largest request body in bytes; larger is 413. Default 25 MiB (`DEFAULT_MAX_BODY_BYTES`). */
  maxBodyBytes?: number;
  /** Folder of the built web client served at `/`; `null` serves none. Default: packages/web/dist. */
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

export const DEFAULT_MAX_BODY_BYTES = 25 * 1024 * 1024;

/** packages/web/dist, seen from packages/server/dist (or src, under vitest). */
export const DEFAULT_WEB_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../web/dist');

// ---- request shapes: schemas.ts (the OpenAPI document is built from the same ones) ----

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/;

function mediaType(c: Context): string {
  return (c.req.header('content-type') ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
}

/**
 * The seed's data URL handling: the base64 is what follows the first comma ("data:...,<b64>");
 * a string without a comma is taken as bare base64.
 */
export function base64Payload(image: string): string {
  const comma = image.indexOf(',');
  return comma < 0 ? image : image.slice(comma + 1);
}

// ---- answers ----

/** The seed's answer is the largest face's HAPPY or SAD, whichever is more likely, or NO_FACE. */
const SEED_EMOTIONS = ['happy', 'sad'] as const;
const NO_FACE = 'No face detected';

/** Flask's `jsonify` body: compact JSON and a newline, so seed clients see the same bytes. */
function seedJson(c: Context, body: Record<string, string>, status: ContentfulStatusCode = 200): Response {
  return c.body(`${JSON.stringify(body)}\n`, status, { 'Content-Type': 'application/json' });
}

function v1Error(c: Context, failure: HttpFailure): Response {
  return c.json({ error: failure.message, code: failure.code }, failure.status);
}

const isSeedRoute = (c: Context) => c.req.path === '/predict';

function answerFailure(c: Context, failure: HttpFailure): Response {
  if (failure.retryAfter !== undefined) c.header('Retry-After', String(failure.retryAfter));
  for (const [name, value] of Object.entries(failure.headers ?? {})) c.header(name, value);
  return isSeedRoute(c) ? seedJson(c, { error: failure.message }, failure.status) : v1Error(c, failure);
}

/**
 * Node answers `Expect: 100-continue` with 100 itself unless told otherwise (main.ts routes
 * 'checkContinue' here): this sends it only once the guards (key, rate limit) have let the
 * request through, so a refused client gets its 401 or 429 without uploading the body first.
 */
const continueUpload: MiddlewareHandler = async (c, next) => {
  const outgoing = (c.env as { outgoing?: { writeContinue?: () => void } } | undefined)?.outgoing;
  if (c.req.header('expect')?.toLowerCase() === '100-continue') outgoing?.writeContinue?.();
  await next();
};

// ---- the app ----

/** The routes, plus what the HTTP server must do for the WebSocket route. */
export type EmotionApp = OpenAPIHono<ServerEnv> & {
  streams: {
    /** For `serve({ websocket })`: the WebSocket server behind /v1/stream. */
    websocket: { server: WebSocketServer };
    /** Guards the server's upgrade path (websocket.ts); call once, right after `serve`. */
    attach(server: Server): void;
    /** Closes every open stream (1001, going away) and cuts those that do not answer, e.g. on shutdown. */
    closeAll(): void;
  };
};

export function createApp(engine: ServerEngine | Promise<ServerEngine>, options: AppOptions = {}): EmotionApp {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const webRoot = options.webRoot === undefined ? DEFAULT_WEB_ROOT : options.webRoot;
  const metrics = options.metrics ?? createMetrics();
  const keys = options.apiKeys ?? [];
  const trustProxy = options.trustProxy ?? 0;

  let ready: ServerEngine | undefined;
  let loadError: unknown;
  const loadStart = performance.now();
  const adopt = (loaded: ServerEngine) => {
    metrics.engineLoadSeconds.set((performance.now() - loadStart) / 1000);
    ready = instrumented(loaded, metrics);
    return ready;
  };
  // An engine given as it is (not a promise) is ready from the first request on.
  const loading =
    engine instanceof Promise
      ? engine.then(adopt, (error: unknown) => {
          loadError = error;
          throw error;
        })
      : Promise.resolve(adopt(engine));
  loading.catch(() => {}); // reported by /health and the routes, not as an unhandled rejection
  const getEngine = async (): Promise<ServerEngine> => {
    if (ready) return ready;
    if (loadError !== undefined)
      throw new RequestError(503, 'ENGINE_UNAVAILABLE', 'The engine failed to load; see the server log');
    return loading;
  };

  // Bounded admission, held around the engine call only: why, in admission.ts.
  const admission = createAdmission(options.maxQueue ?? DEFAULT_QUEUE_PER_THREAD * availableParallelism());
  const limits = options.streamLimits ?? streamLimits({});
  metrics.queueLimit.set(admission.limit);
  metrics.watchQueue(() => admission.inFlight);

  // Refuses before the body is parsed (admission.ts); @hono/node-server drains the unread body
  // or closes the connection.
  const shed: MiddlewareHandler = async (_c, next) => {
    if (admission.full) throw new ServerBusyError(1);
    await next();
  };

  const infer = async <T>(run: (engine: ServerEngine) => Promise<T>): Promise<T> => {
    const release = admission.tryAcquire();
    if (!release) throw new ServerBusyError(1);
    try {
      return await run(await getEngine());
    } finally {
      release();
    }
  };

  const inferFrame: InferFrame = async (run, signal) => {
    const release = await admission.acquireForStream(signal);
    if (!release) return undefined;
    try {
      return await run(await getEngine());
    } finally {
      release();
    }
  };

  const app = new OpenAPIHono<ServerEnv>();
  // A frame may be as large as a request body.
  const wss = createStreamServer({
    maxPayload: maxBodyBytes,
    handleProtocols: (offered) => chooseStreamProtocol(offered) ?? false,
  });

  // Every answer, refusals included: an id (the caller's X-Request-Id when sane), counted, logged.
  app.use(requestId());
  app.use(countRequests(metrics));
  if (options.logger && options.logRequests !== false) app.use(logRequests(options.logger, trustProxy));
  app.use(
    secureHeaders({
      // The web page and /docs load everything from this server: scripts and styles from files,
      // frames over the same-origin WebSocket, images and video from blob: URLs of the user's
      // own files. Swagger UI sets style attributes, hence 'unsafe-inline' for styles only.
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        mediaSrc: ["'self'", 'blob:'],
        connectSrc: ["'self'", 'ws:', 'wss:'],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        frameAncestors: ["'none'"],
      },
    }),
  );

  // Browser clients on other origins (the seed's web page, a dev server) call the API too,
  // and may read Retry-After on a 503 or 429 and the rate limit's headers.
  const apiCors = corsHeaders({
    origin: options.corsOrigins ?? '*',
    exposeHeaders: ['Retry-After', 'X-Request-Id', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'],
  });
  // Refusals come before the body is read, like `shed`: the caller's bucket (its key's, or
  // its address's when it has no right key), then the key check. CORS goes first so a
  // browser's preflight (which carries no key) is answered.
  const apiGuards: MiddlewareHandler<ServerEnv>[] = [apiCors];
  if (keys.length > 0) apiGuards.push(identifyKey(keys));
  const callerOf = (c: Context<ServerEnv>) => callerBucket(c, trustProxy);
  // One store for every route and the stream's frames: `key:<name>` or `ip:<address>` buckets.
  const buckets = options.rateLimit ? (options.rateLimitStore ?? memoryBuckets(options.rateLimit)) : undefined;
  if (options.rateLimit) {
    apiGuards.push(
      rateLimit(options.rateLimit, callerOf, {
        store: buckets,
        onRefused: () => metrics.rateLimitRefusals.inc(),
      }),
    );
  }
  if (keys.length > 0) apiGuards.push(refuseWithoutKey);
  for (const path of ['/predict', '/v1/*']) app.use(path, ...apiGuards, continueUpload);
  app.use('/health', corsHeaders({ origin: '*' }));

  const limit = limitBody(maxBodyBytes, (c) =>
    answerFailure(c, {
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
      message: `Request body too large: the limit is ${maxBodyBytes} bytes`,
    }),
  );

  app.onError((error, c) => {
    if (error instanceof HTTPException && error.status < 500) {
      // Hono's own rejections, e.g. "Malformed JSON in request body".
      return answerFailure(c, { status: 400, code: 'BAD_REQUEST', message: error.message });
    }
    const failure = toHttpFailure(error);
    if (failure.status === 500) {
      if (options.logger)
        options.logger.error({ err: error, reqId: c.get('requestId') }, `${c.req.method} ${c.req.path} failed`);
      else console.error(`${c.req.method} ${c.req.path} failed:`, error);
    }
    if (failure.code === 'SERVER_BUSY') metrics.busyRefusals.inc();
    if (failure.status === 401) metrics.authRefusals.inc();
    return answerFailure(c, failure);
  });

  app.get('/health', (c) => {
    const queue = { inFlight: admission.inFlight, maxQueue: admission.limit };
    if (ready) return c.json({ status: 'ok', ...queue });
    if (loadError !== undefined) return c.json({ status: 'error', error: describe(loadError), ...queue }, 503);
    return c.json({ status: 'loading', ...queue }, 503);
  });

  // For orchestrators: live while the process answers at all; ready while it should get traffic.
  app.get('/health/live', (c) => c.json({ status: 'live' }));
  app.get('/health/ready', (c) => {
    if (options.draining?.()) return c.json({ status: 'draining' }, 503);
    if (ready) return c.json({ status: 'ready' });
    return c.json({ status: loadError !== undefined ? 'error' : 'loading' }, 503);
  });

  registerDocs(app, { keys: keys.length > 0, metrics: options.serveMetrics !== false });
  if (options.serveMetrics !== false) {
    // Not an API route, yet it tells about the traffic: behind the key when keys are on.
    if (keys.length > 0) app.use('/metrics', requireKey(keys));
    app.get('/metrics', metricsHandler(metrics));
  }

  app.post(
    '/predict',
    shed,
    limit,
    async (c, next) => {
      // The seed's clients send JSON (requests' json=, fetch with application/json).
      if (!JSON_TYPE.test(mediaType(c))) {
        throw new RequestError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json');
      }
      await next();
    },
    zValidator('json', jsonBody, (result, c) => {
      if (!result.success) return seedJson(c, { error: result.error.issues[0]?.message ?? NO_IMAGE }, 400);
    }),
    async (c) => {
      const { image } = c.req.valid('json');
      const emotion = await infer((engine) => engine.dominantEmotion(base64Payload(image), { among: SEED_EMOTIONS }));
      c.set('faces', emotion === null ? 0 : 1);
      return seedJson(c, { emotion: emotion?.toUpperCase() ?? NO_FACE });
    },
  );

  app.post(
    '/v1/analyze',
    shed,
    limit,
    zValidator('query', analyzeQuery, (result, c) => {
      if (!result.success) {
        const message = result.error.issues[0]?.message ?? 'invalid query';
        return v1Error(c, { status: 400, code: 'INVALID_REQUEST', message });
      }
    }),
    async (c) => {
      const { landmarks } = c.req.valid('query');
      const input = await readImage(c);
      const faces = await infer((engine) => engine.analyze(input));
      c.set('faces', faces.length);
      return c.json(analyzeAnswer(faces, landmarks));
    },
  );

  const stream = streamRoute(upgradeWebSocket, {
    inferFrame,
    limits,
    openStreams: createOpenStreams(limits.maxPerCaller, limits.maxOpen),
    callerOf,
    charge: buckets ? (caller) => buckets.take(caller, Date.now()) : undefined,
    metrics,
    logger: options.logger,
  });
  app.get('/v1/stream', ...stream.handlers);

  if (webRoot !== null) {
    if (existsSync(webRoot)) {
      app.use('/*', serveStatic({ root: webRoot }));
    } else {
      app.get('/', (c) =>
        c.text(`The web client is not built (${webRoot} is missing): run "pnpm build" at the repository root.\n`, 503),
      );
    }
  }

  const streams = {
    websocket: { server: wss },
    attach: guardUpgrades,
    closeAll: stream.registry.closeAll,
  };
  return Object.assign(app, { streams });
}

/** The engine, timed and counted in `metrics`. */
function instrumented(engine: ServerEngine, metrics: Metrics): ServerEngine {
  return {
    analyze: (...args) => observeInference(metrics, 'analyze', () => engine.analyze(...args)),
    dominantEmotion: (...args) => observeInference(metrics, 'predict', () => engine.dominantEmotion(...args)),
  };
}

/** GET /metrics: the registry in Prometheus' text format. */
export function metricsHandler(metrics: Metrics) {
  return async (c: Context) =>
    c.body(await metrics.registry.metrics(), 200, { 'Content-Type': metrics.registry.contentType });
}

/** The image of a /v1/analyze request: JSON like /predict, raw image bytes, or a form's `image`. */
async function readImage(c: Context<ServerEnv>): Promise<Buffer | string> {
  const type = mediaType(c);
  if (JSON_TYPE.test(type)) {
    const parsed: unknown = await c.req.json().catch(() => {
      throw new RequestError(400, 'BAD_REQUEST', 'Malformed JSON in request body');
    });
    const body = jsonBody.safeParse(parsed);
    if (!body.success) throw new RequestError(400, 'INVALID_REQUEST', body.error.issues[0]?.message ?? NO_IMAGE);
    return base64Payload(body.data.image);
  }
  if (type.startsWith('image/') || type === 'application/octet-stream') {
    const bytes = Buffer.from(await c.req.arrayBuffer());
    if (bytes.length === 0) throw new RequestError(400, 'NO_IMAGE', NO_IMAGE);
    return bytes;
  }
  if (type === 'multipart/form-data') {
    // A body that is no form (no boundary, garbage, cut short) is the client's fault, not ours.
    const fields = await c.req.parseBody().catch(() => {
      throw new RequestError(400, 'BAD_REQUEST', 'Malformed multipart/form-data body');
    });
    const form = multipartBody.safeParse(fields);
    if (!form.success) throw new RequestError(400, 'NO_IMAGE', form.error.issues[0]?.message ?? NO_IMAGE);
    const { image } = form.data;
    return typeof image === 'string' ? base64Payload(image) : Buffer.from(await image.arrayBuffer());
  }
  throw new RequestError(
    415,
    'UNSUPPORTED_MEDIA_TYPE',
    'Content-Type must be application/json, image/* or multipart/form-data',
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? firstLine(error.message) : String(error);
}
