/** API keys: off by default; when on, every API route needs one, compared in constant time, never logged. */
import crypto from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createEngine, type Engine } from '@emotion/core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { Hono } from 'hono';

import { createApp } from '../src/app.js';
import {
  chooseStreamProtocol,
  identifyKey,
  KEY_PROTOCOL_PREFIX,
  refuseWithoutKey,
  STREAM_PROTOCOL,
} from '../src/auth.js';
import { readSettings } from '../src/config.js';
import type { ServerEnv } from '../src/context.js';
import { toHttpFailure } from '../src/errors.js';
import { createLogger } from '../src/request-log.js';
import { dataUrl, HAPPY_FACE, readFace } from '@emotion/test-support';

const KEY_A = 'a3f9c2d41b7e8f60a3f9c2d41b7e8f60';
const KEY_B = 'quick-start-key-number-two';
const FILE_KEY = 'ops-dashboard-key-5e1d9a77c0';
const happy = readFace(HAPPY_FACE);

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
});
afterEach(() => vi.restoreAllMocks());

/** Keys the way an operator gives them: two in API_KEYS, one in API_KEYS_FILE (as its hash). */
function operatorKeys() {
  const dir = mkdtempSync(join(tmpdir(), 'emotion-keys-'));
  const file = join(dir, 'keys');
  const hash = crypto.createHash('sha256').update(FILE_KEY).digest('hex');
  writeFileSync(file, `# name:sha256\n\nops-dashboard:${hash}\n`);
  return readSettings({ API_KEYS: `${KEY_A}, ${KEY_B}`, API_KEYS_FILE: file }).apiKeys;
}

const predict = (app: ReturnType<typeof createApp>, headers: Record<string, string> = {}) =>
  app.request('/predict', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ image: dataUrl(happy) }),
  });
const analyze = (app: ReturnType<typeof createApp>, headers: Record<string, string> = {}) =>
  app.request('/v1/analyze', { method: 'POST', headers: { 'Content-Type': 'image/jpeg', ...headers }, body: happy });
const metrics = (app: ReturnType<typeof createApp>, headers: Record<string, string> = {}) =>
  app.request('/metrics', { headers });

describe('API keys', () => {
  it('none configured: the API is open', async () => {
    const app = createApp(engine, { webRoot: null });
    expect(await (await predict(app)).text()).toBe('{"emotion":"HAPPY"}\n');
    expect((await analyze(app)).status).toBe(200);
    expect((await metrics(app)).status).toBe(200);
  });

  it('configured: 401 with WWW-Authenticate without a key or with a wrong one, on every API route', async () => {
    const app = createApp(engine, { webRoot: null, apiKeys: operatorKeys() });
    const missing = 'API key required (Authorization: Bearer <key>, or X-API-Key)';
    for (const [headers, message] of [
      [{}, missing],
      [{ Authorization: 'Bearer not-the-key-0000000000' }, 'Invalid API key'],
      [{ 'X-API-Key': `${KEY_A}x` }, 'Invalid API key'],
    ] as const) {
      const seed = await predict(app, headers);
      expect(seed.status).toBe(401);
      expect(seed.headers.get('www-authenticate')).toMatch(/^Bearer realm="emotion"/);
      expect(await seed.text()).toBe(`${JSON.stringify({ error: message })}\n`);

      const v1 = await analyze(app, headers);
      expect(v1.status).toBe(401);
      expect(v1.headers.get('www-authenticate')).toMatch(/^Bearer /);
      expect(((await v1.json()) as { code: string }).code).toBe('UNAUTHORIZED');

      expect((await metrics(app, headers)).status).toBe(401);
    }
  });

  it('refuses before reading the body: a keyless request with a broken body is 401, not 400', async () => {
    const app = createApp(engine, { webRoot: null, apiKeys: operatorKeys() });
    const response = await app.request('/predict', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{not json',
    });
    expect(response.status).toBe(401);
  });

  it('a right key in either header: 200, for keys from API_KEYS and from API_KEYS_FILE', async () => {
    const app = createApp(engine, { webRoot: null, apiKeys: operatorKeys() });
    for (const key of [KEY_A, KEY_B, FILE_KEY]) {
      expect(await (await predict(app, { Authorization: `Bearer ${key}` })).text()).toBe('{"emotion":"HAPPY"}\n');
      expect((await analyze(app, { 'X-API-Key': key })).status).toBe(200);
      expect((await metrics(app, { authorization: `bearer ${key}` })).status).toBe(200);
    }
  });

  it('the page, health, the OpenAPI document and the docs stay open', async () => {
    const app = createApp(engine, { webRoot: null, apiKeys: operatorKeys() });
    for (const path of ['/health', '/health/live', '/health/ready', '/openapi.json', '/docs']) {
      expect((await app.request(path)).status, path).toBe(200);
    }
    const preflight = await app.request('/v1/analyze', {
      method: 'OPTIONS',
      headers: { Origin: 'http://elsewhere.test', 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.status).toBe(204);
  });

  it('compares in constant time, against every stored key, whichever matches', async () => {
    const keys = operatorKeys();
    const app = createApp(engine, { webRoot: null, apiKeys: keys });
    const compare = vi.spyOn(crypto, 'timingSafeEqual');
    for (const key of [KEY_A, FILE_KEY, 'wrong-key-000000000000']) {
      compare.mockClear();
      await analyze(app, { 'X-API-Key': key });
      expect(compare).toHaveBeenCalledTimes(keys.length);
    }
  });

  it('never logs a key, right or wrong; the log names the key that was used', async () => {
    const lines: string[] = [];
    const logger = createLogger('json', 'info', { destination: { write: (line: string) => lines.push(line) } });
    const app = createApp(engine, { webRoot: null, apiKeys: operatorKeys(), logger });
    await predict(app, { Authorization: `Bearer ${KEY_A}` });
    await predict(app, { 'X-API-Key': FILE_KEY });
    await predict(app, { 'X-API-Key': 'wrong-key-but-secret-too-00' });
    expect(lines).toHaveLength(3);
    const text = lines.join('');
    for (const secret of [KEY_A, KEY_B, FILE_KEY, 'wrong-key-but-secret-too-00']) expect(text).not.toContain(secret);
    expect(lines.map((line) => JSON.parse(line).key)).toEqual(['key1', 'ops-dashboard', undefined]);
  });
});

describe('keys for browser streams and other headers', () => {
  /** The key checks alone, answering with the name of the key they found. */
  function guarded() {
    const keys = operatorKeys();
    return new Hono<ServerEnv>()
      .onError((error, c) => {
        const failure = toHttpFailure(error);
        return c.json({ error: failure.message }, failure.status);
      })
      .use(identifyKey(keys), refuseWithoutKey)
      .get('/v1/stream', (c) => c.text(c.get('keyName') ?? ''));
  }
  const upgrade = { Upgrade: 'websocket', Connection: 'Upgrade' };
  const asProtocol = (key: string) => `${KEY_PROTOCOL_PREFIX}${Buffer.from(key).toString('base64url')}`;

  it('Authorization: Basic next to a right X-API-Key does not hide the key', async () => {
    const app = createApp(engine, { webRoot: null, apiKeys: operatorKeys() });
    const basic = `Basic ${Buffer.from('proxy-user:proxy-password').toString('base64')}`;
    expect(await (await predict(app, { Authorization: basic, 'X-API-Key': KEY_B })).text()).toBe(
      '{"emotion":"HAPPY"}\n',
    );
    expect((await predict(app, { Authorization: basic })).status).toBe(401);
  });

  it('an upgrade may present the key as an emotion.key.<base64url> subprotocol', async () => {
    const app = guarded();
    for (const [key, name] of [
      [KEY_A, 'key1'],
      [FILE_KEY, 'ops-dashboard'],
    ] as const) {
      const response = await app.request('/v1/stream', {
        headers: { ...upgrade, 'Sec-WebSocket-Protocol': `${STREAM_PROTOCOL}, ${asProtocol(key)}` },
      });
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(name);
    }
    const wrong = await app.request('/v1/stream', {
      headers: { ...upgrade, 'Sec-WebSocket-Protocol': `${STREAM_PROTOCOL}, ${asProtocol('not-the-key-00000000')}` },
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'Invalid API key' });
  });

  it('but only on an upgrade, and never from the query string', async () => {
    const app = guarded();
    const notUpgrade = await app.request('/v1/stream', {
      headers: { 'Sec-WebSocket-Protocol': `${STREAM_PROTOCOL}, ${asProtocol(KEY_A)}` },
    });
    expect(notUpgrade.status).toBe(401);
    for (const query of [`key=${KEY_A}`, `api_key=${KEY_A}`, `access_token=${KEY_A}`, `token=${KEY_A}`]) {
      expect((await app.request(`/v1/stream?${query}`, { headers: upgrade })).status, query).toBe(401);
    }
  });

  it('the server answers emotion.v1, never the key entry, and nothing when emotion.v1 was not offered', () => {
    expect(chooseStreamProtocol([STREAM_PROTOCOL, asProtocol(KEY_A)])).toBe(STREAM_PROTOCOL);
    expect(chooseStreamProtocol(new Set([asProtocol(KEY_A), STREAM_PROTOCOL]))).toBe(STREAM_PROTOCOL);
    expect(chooseStreamProtocol([asProtocol(KEY_A)])).toBeUndefined();
    expect(chooseStreamProtocol(['chat', 'emotion.v2'])).toBeUndefined();
    expect(chooseStreamProtocol([])).toBeUndefined();
  });
});
