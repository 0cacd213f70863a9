/**
 * The API's description: the OpenAPI 3.1 document that @hono/zod-openapi builds from the routes'
 * own declarations (each route module's createRoute: the schemas that validate its requests and
 * type its answers), served at GET /openapi.json, and Swagger UI at GET /docs, served from the
 * swagger-ui-dist package so the page loads nothing from the internet.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';

import type { ServerEnv } from '../context.js';

/** Adds the document's routes to `app`, whose registry holds every route mounted on it. */
export function registerDocs(app: OpenAPIHono<ServerEnv>): void {
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
  app.openapi(
    createRoute({
      method: 'get',
      path: '/openapi.json',
      tags: ['docs'],
      summary: 'This document',
      responses: {
        200: { description: 'OpenAPI 3.1', content: { 'application/json': { schema: z.object({}).passthrough() } } },
      },
    }),
    (c) => {
      cached ??= document();
      return c.json(cached as unknown as Record<string, unknown>, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/docs',
      tags: ['docs'],
      summary: 'This document as a page (Swagger UI)',
      responses: { 200: { description: 'HTML', content: { 'text/html': { schema: z.string() } } } },
    }),
    (c) => c.html(DOCS_PAGE, 200),
  );
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
