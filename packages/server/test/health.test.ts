import { createEngine } from '@emotion/core';
import { beforeAll, describe, expect, it } from 'vitest';

import { createApp } from '../src/app.js';
import { listenConfig } from '../src/config.js';

let app: ReturnType<typeof createApp>;
beforeAll(async () => {
  app = createApp(await createEngine());
});

describe('GET /health', () => {
  it('answers 200 {"status":"ok"} once the engine is loaded', async () => {
    const response = await app.request('/health');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('unknown paths are 404', async () => {
    expect((await app.request('/nope')).status).toBe(404);
  });
});

describe('listenConfig', () => {
  it('defaults to 127.0.0.1:5000 and honours HOST and PORT', () => {
    expect(listenConfig({})).toEqual({ host: '127.0.0.1', port: 5000 });
    expect(listenConfig({ HOST: '0.0.0.0', PORT: '8080' })).toEqual({ host: '0.0.0.0', port: 8080 });
  });

  it('rejects a bad PORT', () => {
    expect(() => listenConfig({ PORT: 'http' })).toThrow(/PORT/);
    expect(() => listenConfig({ PORT: '70000' })).toThrow(/PORT/);
  });
});
