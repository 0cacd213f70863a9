/** Secure headers on every answer, and CORS limited to CORS_ORIGINS when set. */
import { describe, expect, it } from 'vitest';

import { createApp, type ServerEngine } from '../src/app.js';
import { readSettings } from '../src/config.js';

// Answers here come before any inference: an engine that never loads will do.
const neverLoads = new Promise<ServerEngine>(() => {});

describe('secure headers', () => {
  it('are on every answer: API, refusals, health, docs, unknown paths', async () => {
    const app = createApp(neverLoads, { webRoot: null, apiKeys: readSettings({ API_KEYS: 'k'.repeat(20) }).apiKeys });
    const answers = [
      await app.request('/predict', { method: 'POST', body: '{}' }), // 401
      await app.request('/health/live'),
      await app.request('/docs'),
      await app.request('/openapi.json'),
      await app.request('/nowhere'),
    ];
    for (const answer of answers) {
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
      expect(answer.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe('CORS_ORIGINS', () => {
  const preflight = (app: ReturnType<typeof createApp>, origin: string) =>
    app.request('/v1/analyze', {
      method: 'OPTIONS',
      headers: {
        Origin: origin,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'x-api-key',
      },
    });

  it('default *: any origin, and the answers expose Retry-After, X-Request-Id and the RateLimit headers', async () => {
    const app = createApp(neverLoads, { webRoot: null });
    const answer = await preflight(app, 'https://anywhere.example');
    expect(answer.headers.get('access-control-allow-origin')).toBe('*');
    const simple = await app.request('/predict', { method: 'POST', headers: { Origin: 'https://anywhere.example' } });
    expect(simple.headers.get('access-control-expose-headers')).toBe(
      'Retry-After,X-Request-Id,RateLimit-Limit,RateLimit-Remaining,RateLimit-Reset',
    );
  });

  it('a list: only those origins are allowed', async () => {
    const { corsOrigins } = readSettings({ CORS_ORIGINS: 'https://app.example,http://localhost:3000' });
    const app = createApp(neverLoads, { webRoot: null, corsOrigins });
    const allowed = await preflight(app, 'http://localhost:3000');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/x-api-key/i);
    const other = await preflight(app, 'https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});
