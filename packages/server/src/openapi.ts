/**
 * The API's description: an OpenAPI 3.1 document built by @hono/zod-openapi from the zod schemas
 * the routes validate with (schemas.ts), served at GET /openapi.json, and Swagger UI at GET /docs,
 * served from the swagger-ui-dist package so the page loads nothing from the internet.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import { createRoute, type OpenAPIHono, type RouteConfig, z } from '@hono/zod-openapi';

import type { ServerEnv } from './context.js';
import { INVALID_BASE64, NO_IMAGE, SERVER_BUSY } from './errors.js';
import {
  analyzeAnswer,
  analyzeQuery,
  healthAnswer,
  jsonBody,
  multipartDoc,
  predictAnswer,
  probeAnswer,
  rawImageDoc,
  seedError,
  v1Error,
} from './schemas.js';

export interface DocsOptions {
  /** API keys are on: API operations say so (security) and Swagger UI offers "Authorize". */
  keys: boolean;
  /** /metrics is served by this app (not on METRICS_PORT). */
  metrics: boolean;
}

/** Every error an API route may answer: when, and an example in each flavour. */
const ERRORS = {
  400: {
    description: 'A missing, null or empty image, bad base64, an undecodable image, a body that is no JSON object',
    seed: NO_IMAGE,
    v1: [INVALID_BASE64, 'INVALID_BASE64'],
  },
  401: {
    description: 'API keys are on and the request has none, or a wrong one (`WWW-Authenticate: Bearer`)',
    seed: 'Invalid API key',
    v1: ['Invalid API key', 'UNAUTHORIZED'],
  },
  413: {
    description: 'The body is over MAX_BODY_MB, or the image over the pixel limit',
    seed: 'Request body too large: the limit is 26214400 bytes',
    v1: ['Request body too large: the limit is 26214400 bytes', 'PAYLOAD_TOO_LARGE'],
  },
  415: {
    description: 'A Content-Type the route does not take (/predict: JSON; /v1/analyze: JSON, image/*, multipart)',
    seed: 'Content-Type must be application/json',
    v1: ['Content-Type must be application/json, image/* or multipart/form-data', 'UNSUPPORTED_MEDIA_TYPE'],
  },
  429: {
    description: 'Over the rate limit (RATE_LIMIT): see `Retry-After` and the `RateLimit-*` headers',
    seed: 'Too many requests',
    v1: ['Too many requests', 'RATE_LIMITED'],
  },
  500: {
    description: 'An internal fault (logged; no stack trace is sent)',
    seed: 'Internal server error',
    v1: ['Internal server error', 'INTERNAL'],
  },
  503: {
    description: 'The admission queue is full (`Retry-After: 1`), or the engine failed to load',
    seed: SERVER_BUSY,
    v1: [SERVER_BUSY, 'SERVER_BUSY'],
  },
} as const;

function errorResponses(flavour: 'seed' | 'v1') {
  return Object.fromEntries(
    Object.entries(ERRORS).map(([status, { description, seed, v1 }]) => {
      const [schema, example] =
        flavour === 'seed' ? [seedError, { error: seed }] : [v1Error, { error: v1[0], code: v1[1] }];
      return [status, { description, content: { 'application/json': { schema, example } } }];
    }),
  );
}

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export function registerDocs(app: OpenAPIHono<ServerEnv>, options: DocsOptions): void {
  const registry = app.openAPIRegistry;
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key as `Authorization: Bearer <key>` (only when the server has API keys)',
  });
  registry.registerComponent('securitySchemes', 'apiKeyHeader', {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-Key',
    description: 'The same key as `X-API-Key: <key>`',
  });
  const security: Record<string, string[]>[] = options.keys ? [{ bearer: [] }, { apiKeyHeader: [] }] : [];

  const routes: RouteConfig[] = [
    createRoute({
      method: 'post',
      path: '/predict',
      tags: ['seed'],
      summary: 'HAPPY or SAD for the largest face (the seed service’s contract, byte for byte)',
      description: 'Answers as Flask did: compact JSON and a newline. Bodies other than JSON are refused with 415.',
      security,
      request: { body: { required: true, content: { 'application/json': { schema: jsonBody } } } },
      responses: {
        200: {
          description: 'The emotion of the largest face, or "No face detected"',
          content: {
            'application/json': {
              schema: predictAnswer,
              examples: {
                happy: { value: { emotion: 'HAPPY' } },
                noFace: { value: { emotion: 'No face detected' } },
              },
            },
          },
        },
        ...errorResponses('seed'),
      },
    }),
    createRoute({
      method: 'post',
      path: '/v1/analyze',
      tags: ['v1'],
      summary: 'Every face: box, score, the 7 emotions’ probabilities, keypoints, optionally landmarks',
      security,
      request: {
        query: analyzeQuery,
        body: {
          required: true,
          content: {
            'application/json': { schema: jsonBody },
            'image/*': { schema: rawImageDoc },
            'multipart/form-data': { schema: multipartDoc },
          },
        },
      },
      responses: {
        200: {
          description: 'The faces found, best first (an empty list when none)',
          content: {
            'application/json': {
              schema: analyzeAnswer,
              example: {
                faces: [
                  {
                    box: { x: 52.1, y: 61.3, width: 118.4, height: 118.4 },
                    score: 0.93,
                    presence: 0.99,
                    emotion: 'happy',
                    emotions: [
                      { label: 'happy', probability: 0.91 },
                      { label: 'neutral', probability: 0.05 },
                    ],
                    keypoints: [{ x: 88.2, y: 97.5 }],
                  },
                ],
              },
            },
          },
        },
        ...errorResponses('v1'),
      },
    }),
    createRoute({
      method: 'get',
      path: '/v1/stream',
      tags: ['v1'],
      summary: 'WebSocket for live video: binary frames in, tracked and smoothed faces out',
      description:
        'Upgrade with `Upgrade: websocket`. Each binary message is a frame (an encoded image); each analysed frame is answered with `{"type":"faces","frame","dropped","latencyMs","faces"}`, where each face has a stable `id`, smoothed `emotion`/`emotions` and the frame\'s own values in `raw`. The README\'s "Live stream" section has the message shapes, the smoothing and the backpressure.',
      security,
      request: {
        query: z.object({
          tau: z
            .string()
            .optional()
            .openapi({ description: 'Smoothing time constant in ms, 0 to 60000 (default 500)' }),
          landmarks: z.enum(['0', '1', 'true', 'false']).optional().openapi({ description: 'Add the 468 points' }),
        }),
      },
      responses: {
        101: { description: 'Switching Protocols: the stream is open' },
        400: json(v1Error, 'A bad query (`INVALID_REQUEST`)'),
        401: json(v1Error, 'API keys are on and the request has none, or a wrong one'),
        426: json(v1Error, 'Not a WebSocket upgrade (`UPGRADE_REQUIRED`)'),
        429: json(v1Error, 'Over the rate limit (counted once per connection)'),
      },
    }),
    createRoute({
      method: 'get',
      path: '/health',
      tags: ['health'],
      summary: 'The engine’s state and the admission queue’s depth',
      responses: {
        200: json(healthAnswer, 'The engine is loaded'),
        503: json(healthAnswer, 'The engine is loading, or failed to load (`error` says why)'),
      },
    }),
    createRoute({
      method: 'get',
      path: '/health/live',
      tags: ['health'],
      summary: 'Liveness: the process is up and its event loop answers',
      responses: { 200: json(probeAnswer, 'Always `{"status":"live"}`') },
    }),
    createRoute({
      method: 'get',
      path: '/health/ready',
      tags: ['health'],
      summary: 'Readiness: the engine is loaded and the server is not shutting down',
      responses: {
        200: json(probeAnswer, '`{"status":"ready"}`'),
        503: json(probeAnswer, '`loading`, `error` (the engine failed to load) or `draining` (after SIGTERM)'),
      },
    }),
    createRoute({
      method: 'get',
      path: '/openapi.json',
      tags: ['docs'],
      summary: 'This document',
      responses: {
        200: { description: 'OpenAPI 3.1', content: { 'application/json': { schema: z.object({}).passthrough() } } },
      },
    }),
    createRoute({
      method: 'get',
      path: '/docs',
      tags: ['docs'],
      summary: 'This document as a page (Swagger UI)',
      responses: { 200: { description: 'HTML', content: { 'text/html': { schema: z.string() } } } },
    }),
  ];
  if (options.metrics) {
    routes.push(
      createRoute({
        method: 'get',
        path: '/metrics',
        tags: ['ops'],
        summary: 'Prometheus metrics (text format 0.0.4); needs a key when keys are on',
        security,
        responses: {
          200: {
            description: 'The metrics',
            content: {
              'text/plain': {
                schema: z.string(),
                example: 'emotion_http_requests_total{method="POST",route="/predict",status="200"} 3',
              },
            },
          },
          401: json(v1Error, 'API keys are on and the request has none, or a wrong one'),
        },
      }),
    );
  }
  for (const route of routes) registry.registerPath(route);

  const document = () =>
    app.getOpenAPI31Document({
      openapi: '3.1.0',
      info: {
        title: 'emotion',
        version: '0.1.0',
        description:
          'Face-emotion recognition. `/predict` keeps the seed service’s contract byte for byte; `/v1/analyze` reports every face.',
      },
    });
  let cached: ReturnType<typeof document> | undefined;
  app.get('/openapi.json', (c) => {
    cached ??= document();
    return c.json(cached);
  });

  app.get('/docs', (c) => c.html(DOCS_PAGE));
  app.get('/docs/init.js', (c) => c.body(DOCS_INIT, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }));
  for (const [file, type] of SWAGGER_FILES) {
    app.get(`/docs/${file}`, async (c) =>
      c.body(await readFile(join(swaggerDir(), file)), 200, { 'Content-Type': type, 'Cache-Control': 'max-age=86400' }),
    );
  }
}

const SWAGGER_FILES = [
  ['swagger-ui.css', 'text/css; charset=utf-8'],
  ['swagger-ui-bundle.js', 'text/javascript; charset=utf-8'],
] as const;

let swaggerRoot: string | undefined;
function swaggerDir(): string {
  swaggerRoot ??= dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  return swaggerRoot;
}

const DOCS_PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>emotion API</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="/docs/swagger-ui.css" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/swagger-ui-bundle.js"></script>
    <script src="/docs/init.js"></script>
  </body>
</html>
`;

// validatorUrl: null, or Swagger UI would send the document to validator.swagger.io.
const DOCS_INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', validatorUrl: null, deepLinking: true });
`;
