/** The OpenAPI document: valid OpenAPI 3.1, and it describes every route the app serves. */
import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';

import { createApp, type ServerEngine } from '../src/app.js';
import { parseKeysFile } from '../src/config.js';

// The document does not depend on the engine: one that never loads will do.
const neverLoads = new Promise<ServerEngine>(() => {});
const KEYS = parseKeysFile(`app:${'ab'.repeat(32)}`, 'inline');

async function documentOf(app: ReturnType<typeof createApp>) {
  const response = await app.request('/openapi.json');
  expect(response.status).toBe(200);
  return (await response.json()) as {
    openapi: string;
    paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
  };
}

/** What the app really routes: its handlers' method and path, less the web client's and Swagger UI's files. */
function servedRoutes(app: ReturnType<typeof createApp>): string[] {
  const served = app.routes
    .filter((route) => route.method !== 'ALL' && route.path !== '/*' && !/^\/docs\/./.test(route.path))
    .map((route) => `${route.method.toLowerCase()} ${route.path}`);
  return [...new Set(served)].sort();
}

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const document = await documentOf(createApp(neverLoads, { webRoot: null }));
    expect(document.openapi).toBe('3.1.0');
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeTruthy();
  });

  it.each([
    ['defaults', {}],
    ['keys on, metrics on their own listener', { apiKeys: KEYS, serveMetrics: false }],
  ])('describes every route the app serves (%s)', async (_, options) => {
    const app = createApp(neverLoads, { webRoot: null, ...options });
    const document = await documentOf(app);
    const documented = Object.entries(document.paths)
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method} ${path}`))
      .sort();
    const served = servedRoutes(app);
    expect(served).toContain('post /predict');
    expect(served).toContain('get /health/ready');
    expect(documented).toEqual(served);
  });

  it('describes each body variant and every error status, with examples', async () => {
    const document = await documentOf(createApp(neverLoads, { webRoot: null }));
    const analyze = document.paths['/v1/analyze']!.post! as unknown as {
      requestBody: { content: Record<string, unknown> };
      responses: Record<string, { content: Record<string, { example?: unknown }> }>;
    };
    expect(Object.keys(analyze.requestBody.content).sort()).toEqual([
      'application/json',
      'image/*',
      'multipart/form-data',
    ]);
    for (const path of ['/predict', '/v1/analyze']) {
      const responses = document.paths[path]!.post!.responses as Record<
        string,
        { content: Record<string, { example?: unknown; examples?: unknown }> }
      >;
      expect(Object.keys(responses).sort()).toEqual(['200', '400', '401', '413', '415', '429', '500', '503']);
      for (const [status, response] of Object.entries(responses)) {
        const media = response.content['application/json']!;
        expect(media.example ?? media.examples, `${path} ${status}`).toBeDefined();
      }
    }
  });

  it('marks the API operations as needing a key only when keys are on', async () => {
    const open = await documentOf(createApp(neverLoads, { webRoot: null }));
    expect(open.paths['/predict']!.post!.security).toEqual([]);
    const closed = await documentOf(createApp(neverLoads, { webRoot: null, apiKeys: KEYS }));
    expect(closed.paths['/predict']!.post!.security).toEqual([{ bearer: [] }, { apiKeyHeader: [] }]);
    expect(closed.paths['/health/ready']!.get!.security).toBeUndefined();
  });
});

describe('GET /docs', () => {
  it('is a page that loads Swagger UI from this server only', async () => {
    const app = createApp(neverLoads, { webRoot: null });
    const page = await app.request('/docs');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('/docs/swagger-ui-bundle.js');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    for (const asset of ['/docs/swagger-ui-bundle.js', '/docs/swagger-ui.css', '/docs/init.js']) {
      const response = await app.request(asset);
      expect(response.status, asset).toBe(200);
      expect((await response.arrayBuffer()).byteLength, asset).toBeGreaterThan(20);
    }
    expect(await (await app.request('/docs/init.js')).text()).toContain('validatorUrl: null');
  });
});
