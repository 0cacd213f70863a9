/**
 * The HTTP routes, built around an engine (loaded, or still loading): the app holds no other
 * state than its count of inferences admitted (MAX_QUEUE), so tests drive it with
 * `app.request()` and no socket.
 *
 *   POST /predict      the seed service's contract, byte for byte (../shared/seed/predict-api.txt)
 *   POST /v1/analyze   every face: box, score, emotion probabilities, optional landmarks
 *   GET  /health       200 once the engine is loaded, 503 before; the admission queue's depth
 *   GET  /*            the web client (packages/web/dist)
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Engine, Face } from '@emotion/core';
import { serveStatic } from '@hono/node-server/serve-static';
import { zValidator } from '@hono/zod-validator';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { logger } from 'hono/logger';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';

import { createAdmission } from './admission.js';
import { DEFAULT_QUEUE_PER_THREAD } from './config.js';
import { NO_IMAGE, RequestError, ServerBusyError, toHttpFailure, type HttpFailure } from './errors.js';

/** What the routes use of `@emotion/core`'s engine; tests may pass a stand-in. */
export type ServerEngine = Pick<Engine, 'analyze' | 'predictSeed'>;

export interface AppOptions {
  /** Largest request body in bytes; larger is 413. Default 25 MiB (`DEFAULT_MAX_BODY_BYTES`). */
  maxBodyBytes?: number;
  /** Folder of the built web client served at `/`; `null` serves none. Default: packages/web/dist. */
  webRoot?: string | null;
  /** Log one line per request (Hono's logger) through this function; default: no logging. */
  log?: (line: string) => void;
  /**
   * Most requests with an inference running or waiting; more get 503 "Server busy".
   * Default: 4 × the CPUs (config.ts's MAX_QUEUE explains the choice).
   */
  maxQueue?: number;
}

export const DEFAULT_MAX_BODY_BYTES = 25 * 1024 * 1024;

/** packages/web/dist, seen from packages/server/dist (or src, under vitest). */
export const DEFAULT_WEB_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../web/dist');

// ---- request shapes (zod) ----

const imageField = z
  .string({
    error: (issue) =>
      issue.input === undefined || issue.input === null ? NO_IMAGE : 'image must be a string: a data URL or base64',
  })
  .min(1, NO_IMAGE);

/** `{"image": "data:image/png;base64,…"}`; other fields are ignored, as the seed did. */
const jsonBody = z.object({ image: imageField }, { error: 'The request body must be a JSON object' });

const analyzeQuery = z.object({
  landmarks: z
    .enum(['0', '1', 'true', 'false'], { error: 'landmarks must be 0, 1, true or false' })
    .optional()
    .transform((value) => value === '1' || value === 'true'),
});

const multipartBody = z.object({
  image: z.union([z.instanceof(File), imageField], { error: NO_IMAGE }),
});

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/;

function mediaType(c: Context): string {
  return (c.req.header('content-type') ?? '').split(';', 1)[0]!.trim().toLowerCase();
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
  return isSeedRoute(c) ? seedJson(c, { error: failure.message }, failure.status) : v1Error(c, failure);
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

// ---- the app ----

export function createApp(engine: ServerEngine | Promise<ServerEngine>, options: AppOptions = {}): Hono {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const webRoot = options.webRoot === undefined ? DEFAULT_WEB_ROOT : options.webRoot;

  let ready: ServerEngine | undefined;
  let loadError: unknown;
  const loading = Promise.resolve(engine).then(
    (loaded) => (ready = loaded),
    (error: unknown) => {
      loadError = error;
      throw error;
    },
  );
  loading.catch(() => {}); // reported by /health and the routes, not as an unhandled rejection
  const getEngine = async (): Promise<ServerEngine> => {
    if (ready) return ready;
    if (loadError !== undefined)
      throw new RequestError(503, 'ENGINE_UNAVAILABLE', 'The engine failed to load; see the server log');
    return loading;
  };

  // Bounded admission. A slot is held around the engine call only, not the whole request: the
  // cost to bound is inference (a thread for tens of milliseconds each), while a slow upload
  // holding a slot would refuse work with the threads idle, and bodies are bounded one by one
  // by maxBodyBytes. Waiting for the engine to load counts too, so a burst at start-up is
  // refused rather than piled up. The slot is given back when the engine call settles,
  // whatever the outcome (try/finally); a client that hangs up keeps it until its inference
  // ends, since the thread is busy until then anyway.
  const admission = createAdmission(options.maxQueue ?? DEFAULT_QUEUE_PER_THREAD * availableParallelism());

  // A request that arrives while every slot is taken is refused before its body is parsed:
  // under overload a refusal must be cheap, and parsing up to maxBodyBytes of JSON (tens of
  // ms of event loop for a big image) only to refuse would steal CPU from the inferences.
  // @hono/node-server drains the unread body (or closes the connection). A request let in
  // here may still be refused by `infer` if the slots filled up while its body arrived.
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

  const app = new Hono();

  if (options.log) app.use(logger(options.log));
  // Browser clients on other origins (the seed's web page, a dev server) call the API too,
  // and may read Retry-After on a 503.
  const apiCors = cors({ origin: '*', exposeHeaders: ['Retry-After'] });
  app.use('/predict', apiCors);
  app.use('/v1/*', apiCors);
  app.use('/health', cors());

  const limit = bodyLimit({
    maxSize: maxBodyBytes,
    onError: (c) =>
      answerFailure(c, {
        status: 413,
        code: 'PAYLOAD_TOO_LARGE',
        message: `Request body too large: the limit is ${maxBodyBytes} bytes`,
      }),
  });

  app.onError((error, c) => {
    if (error instanceof HTTPException && error.status < 500) {
      // Hono's own rejections, e.g. "Malformed JSON in request body".
      return answerFailure(c, { status: 400, code: 'BAD_REQUEST', message: error.message });
    }
    const failure = toHttpFailure(error);
    if (failure.status === 500) console.error(`${c.req.method} ${c.req.path} failed:`, error);
    return answerFailure(c, failure);
  });

  app.get('/health', (c) => {
    const queue = { inFlight: admission.inFlight, maxQueue: admission.limit };
    if (ready) return c.json({ status: 'ok', ...queue });
    if (loadError !== undefined) return c.json({ status: 'error', error: describe(loadError), ...queue }, 503);
    return c.json({ status: 'loading', ...queue }, 503);
  });

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
      const emotion = await infer((engine) => engine.predictSeed(base64Payload(image)));
      return seedJson(c, { emotion });
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
      return c.json(analyzeAnswer(faces, landmarks));
    },
  );

  if (webRoot !== null) {
    if (existsSync(webRoot)) {
      app.use('/*', serveStatic({ root: webRoot }));
    } else {
      app.get('/', (c) =>
        c.text(`The web client is not built (${webRoot} is missing): run "pnpm build" at the repository root.\n`, 503),
      );
    }
  }

  return app;
}

/** The image of a /v1/analyze request: JSON like /predict, raw image bytes, or a form's `image`. */
async function readImage(c: Context): Promise<Buffer | string> {
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
    const form = multipartBody.safeParse(await c.req.parseBody());
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

/** The body of a /v1/analyze answer (exported for bench/stages-node.mjs). */
export function analyzeAnswer(faces: Face[], landmarks: boolean) {
  return {
    faces: faces.map((face) => ({
      box: face.box,
      score: face.score,
      presence: face.presence,
      emotion: face.emotion,
      emotions: face.emotions,
      keypoints: face.keypoints,
      // 468 [x, y, z] in image pixels, to 1/100 px: plenty, and a third of the bytes.
      ...(landmarks ? { landmarks: triples(face.landmarks) } : {}),
    })),
  };
}

function triples(points: Float32Array): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let i = 0; i + 2 < points.length; i += 3) {
    out.push([round(points[i]!, 2), round(points[i + 1]!, 2), round(points[i + 2]!, 2)]);
  }
  return out;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message.split('\n', 1)[0]! : String(error);
}
