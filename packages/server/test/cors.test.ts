/** corsHeaders answers as Hono's `cors` does, for every kind of request and origin setting. */
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { describe, expect, it } from 'vitest';

import { corsHeaders } from '../src/cors.js';

const EXPOSE = ['Retry-After', 'X-Request-Id'];

function appWith(middleware: ReturnType<typeof cors>) {
  const app = new Hono();
  app.use('*', middleware);
  app.post('/api', (c) => c.json({ ok: true }));
  app.get('/api', (c) => c.text('ok'));
  return app;
}

/** The CORS part of an answer: status and every access-control-* and Vary header. */
async function corsPart(response: Response) {
  const headers = [...response.headers].filter(([name]) => name.startsWith('access-control-') || name === 'vary');
  return { status: response.status, headers: headers.sort(([a], [b]) => a.localeCompare(b)) };
}

const requests: [string, RequestInit][] = [
  ['POST, no Origin', { method: 'POST', body: '{}' }],
  ['POST, an allowed origin', { method: 'POST', body: '{}', headers: { Origin: 'https://app.example' } }],
  ['POST, another origin', { method: 'POST', body: '{}', headers: { Origin: 'https://evil.example' } }],
  ['GET, an allowed origin', { method: 'GET', headers: { Origin: 'https://app.example' } }],
  [
    'preflight, allowed',
    {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://app.example',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type, x-api-key',
      },
    },
  ],
  [
    'preflight, another origin',
    { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } },
  ],
];

describe('corsHeaders', () => {
  for (const origin of ['*', ['https://app.example', 'http://localhost:3000']] as const) {
    for (const exposeHeaders of [EXPOSE, []]) {
      for (const [name, init] of requests) {
        it(`origin ${JSON.stringify(origin)}, ${exposeHeaders.length} exposed, ${name}: the same as Hono's cors`, async () => {
          const settings = { origin: origin === '*' ? origin : [...origin], exposeHeaders };
          const ours = await appWith(corsHeaders(settings)).request('/api', init);
          const hono = await appWith(cors(settings)).request('/api', init);
          expect(await corsPart(ours)).toEqual(await corsPart(hono));
        });
      }
    }
  }

  // Hono re-creates the handler's answer (reading its body as a stream) when something made one
  // before the handler ran; with a single middleware that is the only way the answer can differ.
  for (const [name, middleware] of [
    ['corsHeaders', corsHeaders],
    ['Hono cors (reference: it does)', cors],
  ] as const) {
    it(`${name}: the handler's own answer is the one sent, unless Hono's`, async () => {
      const app = new Hono();
      let returned: Response | undefined;
      app.use('*', middleware({ origin: '*', exposeHeaders: EXPOSE }));
      app.post('/api', (c) => {
        returned = c.json({ ok: true });
        return returned;
      });
      const answer = await app.fetch(new Request('http://localhost/api', { method: 'POST', body: '{}' }));
      expect(answer === returned).toBe(middleware === corsHeaders);
    });
  }
});
