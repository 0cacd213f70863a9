import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { defaultThreads } from '@emotion/core';

import { parseKeysFile, readSettings } from '../src/config.js';

describe('HOST and PORT', () => {
  it('default to 127.0.0.1:5000', () => {
    expect(readSettings({}).listen).toEqual({ host: '127.0.0.1', port: 5000 });
    expect(readSettings({ HOST: '0.0.0.0', PORT: '8080' }).listen).toEqual({ host: '0.0.0.0', port: 8080 });
  });

  it('rejects a bad PORT', () => {
    expect(() => readSettings({ PORT: 'http' })).toThrow(/PORT/);
    expect(() => readSettings({ PORT: '70000' })).toThrow(/PORT/);
  });
});

describe('INFERENCE_THREADS and MAX_QUEUE', () => {
  it("INFERENCE_THREADS defaults to the engine's (the CPU quota's whole cores), and the queue to 4 per thread", () => {
    const settings = readSettings({});
    expect(settings.engine.threads).toBeUndefined();
    expect(settings.inferenceThreads).toBe(defaultThreads());
    expect(settings.maxQueue).toBe(4 * defaultThreads());
    expect(readSettings({ INFERENCE_THREADS: '3' })).toMatchObject({ inferenceThreads: 3, maxQueue: 12 });
    expect(readSettings({ INFERENCE_THREADS: '2', MAX_QUEUE: '3' }).maxQueue).toBe(3);
  });

  it.each(['0', '-1', '1.5', 'all', '1025'])('rejects INFERENCE_THREADS=%s', (value) => {
    expect(() => readSettings({ INFERENCE_THREADS: value })).toThrow(/INFERENCE_THREADS must be a whole number/);
  });

  it.each(['0', '-4', '2.5', 'many'])('rejects MAX_QUEUE=%s', (value) => {
    expect(() => readSettings({ MAX_QUEUE: value })).toThrow(/MAX_QUEUE must be a whole number/);
  });
});

describe('MAX_BODY_MB', () => {
  it('bounds the body, and the engine takes images as large', () => {
    expect(readSettings({})).toMatchObject({ maxBodyBytes: 25 * 1024 * 1024 });
    const raised = readSettings({ MAX_BODY_MB: '40' });
    expect(raised.maxBodyBytes).toBe(40 * 1024 * 1024);
    expect(raised.engine.maxEncodedBytes).toBe(40 * 1024 * 1024);
    expect(readSettings({ MAX_BODY_MB: '2.5' }).maxBodyBytes).toBe(2.5 * 1024 * 1024);
    expect(() => readSettings({ MAX_BODY_MB: 'lots' })).toThrow(/MAX_BODY_MB/);
  });
});

describe('readSettings: every setting, checked once', () => {
  it('defaults: everything new is off, the server behaves as before', () => {
    const settings = readSettings({});
    expect(settings).toMatchObject({
      listen: { host: '127.0.0.1', port: 5000 },
      apiKeys: [],
      rateLimit: undefined,
      trustProxy: 0,
      metricsPort: undefined,
      corsOrigins: '*',
      logFormat: 'json',
      logLevel: 'info',
      logRequests: true,
      shutdownDelayMs: 0,
    });
  });

  it('reads rates with their period, and the burst (default: one period’s count)', () => {
    expect(readSettings({ RATE_LIMIT: '600/min' }).rateLimit).toEqual({ perSecond: 10, burst: 600, text: '600/min' });
    expect(readSettings({ RATE_LIMIT: '10/s', RATE_LIMIT_BURST: '3' }).rateLimit).toEqual({
      perSecond: 10,
      burst: 3,
      text: '10/s',
    });
    expect(readSettings({ RATE_LIMIT: '7200/hour' }).rateLimit!.perSecond).toBe(2);
  });

  it('reads CORS origins, keys and the metrics port', () => {
    expect(readSettings({ CORS_ORIGINS: 'https://a.example, http://localhost:3000' }).corsOrigins).toEqual([
      'https://a.example',
      'http://localhost:3000',
    ]);
    const keys = readSettings({ API_KEYS: 'k'.repeat(16) }).apiKeys;
    expect(keys.map((key) => [key.name, key.sha256.toString('hex')])).toEqual([
      ['key1', createHash('sha256').update('k'.repeat(16)).digest('hex')],
    ]);
    expect(readSettings({ METRICS_PORT: '9464' }).metricsPort).toBe(9464);
  });

  it.each([
    [{ RATE_LIMIT: '10' }, /RATE_LIMIT must be a count per period such as 600\/min/],
    [{ RATE_LIMIT: '10/fortnight' }, /RATE_LIMIT must be/],
    [{ RATE_LIMIT_BURST: '5' }, /RATE_LIMIT_BURST needs RATE_LIMIT/],
    [{ RATE_LIMIT: '1/s', RATE_LIMIT_BURST: '0' }, /RATE_LIMIT_BURST must be a whole number from 1/],
    [{ API_KEYS: 'short' }, /API_KEYS must be comma-separated keys of at least 16 characters/],
    [{ API_KEYS_FILE: '/nonexistent/keys' }, /API_KEYS_FILE: cannot read \/nonexistent\/keys: ENOENT/],
    [{ METRICS_PORT: '0' }, /METRICS_PORT must be a whole number from 1 to 65535/],
    [{ CORS_ORIGINS: 'example.com' }, /CORS_ORIGINS must be \* or comma-separated origins/],
    [{ LOG_FORMAT: 'text' }, /LOG_FORMAT must be one of json, pretty, got "text"/],
    [{ LOG_LEVEL: 'verbose' }, /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/],
    [{ LOG_REQUESTS: 'no' }, /LOG_REQUESTS must be one of 1, 0/],
    [{ TRUST_PROXY: 'yes' }, /TRUST_PROXY must be a whole number from 0 to 16/],
    [{ SHUTDOWN_DELAY_MS: '-1' }, /SHUTDOWN_DELAY_MS must be a whole number/],
  ])('rejects %o, naming the variable and what it accepts', (env, message) => {
    expect(() => readSettings(env)).toThrow(message);
  });

  it('refuses two keys of the same name: logs and rate limits tell keys apart by name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'emotion-keys-'));
    writeFileSync(join(dir, 'keys'), `key1:${'ab'.repeat(32)}\n`);
    expect(() => readSettings({ API_KEYS: 'k'.repeat(16), API_KEYS_FILE: join(dir, 'keys') })).toThrow(
      /the name "key1" is used twice/,
    );
  });

  it('reports every bad variable at once', () => {
    expect(() => readSettings({ PORT: 'x', LOG_LEVEL: 'loud' })).toThrow(/PORT must[\s\S]*\n {2}LOG_LEVEL must/);
  });

  it('API_KEYS_FILE: name:sha256 lines, comments and blank lines skipped, anything else refused', () => {
    const hash = 'ab'.repeat(32);
    expect(parseKeysFile(`# ours\n\nmobile:${hash}\nweb-2:${hash.toUpperCase()}\n`, 'f').map((k) => k.name)).toEqual([
      'mobile',
      'web-2',
    ]);
    expect(() => parseKeysFile(`mobile:${hash.slice(2)}`, 'f')).toThrow(/line 1: expected "name:sha256-hex"/);
    expect(() => parseKeysFile('plain-text-key-0123456789', 'f')).toThrow(/line 1/);
    expect(() => parseKeysFile('# nothing\n', 'f')).toThrow(/holds no key/);
  });
});

describe('SMALL_FACE_DETECTOR and MIN_FACE_SIZE', () => {
  it("default to the engine's full-range pass at its own size, and reject what the engine would not take", () => {
    expect(readSettings({}).engine).toMatchObject({ smallFaceDetector: 'full-range', minFaceSize: undefined });
    expect(readSettings({ SMALL_FACE_DETECTOR: 'mtcnn', MIN_FACE_SIZE: '28' }).engine).toMatchObject({
      smallFaceDetector: 'mtcnn',
      minFaceSize: 28,
    });
    expect(readSettings({ MIN_FACE_SIZE: '0' }).engine.minFaceSize).toBe(0);
    expect(() => readSettings({ SMALL_FACE_DETECTOR: 'retinaface' })).toThrow(/SMALL_FACE_DETECTOR must be one of/);
    expect(() => readSettings({ MIN_FACE_SIZE: '-1' })).toThrow(/MIN_FACE_SIZE must be a whole number/);
  });
});
