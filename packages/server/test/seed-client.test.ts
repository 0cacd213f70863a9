/**
 * The seed's own Python client (seed_client.py: requests + base64 + json=) against our
 * server on a real socket: it must print what it printed against the Flask service.
 * Needs Python with `requests`: packages/server/.venv (made by .ci/run) or the system's.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { createEngine } from '@emotion/core';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createApp } from '../src/app.js';
import { facesDir, gradientPng, HAPPY_FACE, SAD_FACE } from '@emotion/test-support';

const here = dirname(fileURLToPath(import.meta.url));
const script = join(here, 'seed_client.py');

function findPython(): string | undefined {
  const candidates = [resolve(here, '../.venv/bin/python'), 'python3', 'python'];
  for (const python of candidates) {
    if (python.includes('/') && !existsSync(python)) continue;
    try {
      execFileSync(python, ['-c', 'import requests'], { stdio: 'ignore' });
      return python;
    } catch {
      // not there, or no requests
    }
  }
  return undefined;
}

const python = findPython();
if (!python) {
  console.warn(
    'seed client contract test SKIPPED: no Python with `requests` (make one: python3 -m venv packages/server/.venv && packages/server/.venv/bin/pip install requests)',
  );
}

describe.skipIf(!python)("the seed's Python client", () => {
  let server: ServerType;
  let url: string;

  beforeAll(async () => {
    const app = createApp(await createEngine(), { webRoot: null });
    await new Promise<void>((ready) => {
      server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => ready());
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/predict`;
  });
  afterAll(() => new Promise<void>((done) => server?.close(() => done())));

  // Asynchronously: the server answering it runs on this very event loop.
  const run = async (image: string) =>
    (await promisify(execFile)(python!, [script, url, image], { encoding: 'utf8', timeout: 30_000 })).stdout.trim();

  it('prints "Emotion: HAPPY" for a happy face', async () => {
    expect(await run(join(facesDir, HAPPY_FACE))).toBe('Emotion: HAPPY');
  });

  it('prints "Emotion: SAD" for a sad face', async () => {
    expect(await run(join(facesDir, SAD_FACE))).toBe('Emotion: SAD');
  });

  it('prints "Emotion: No face detected" for a picture without a face', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emotion-seed-'));
    writeFileSync(join(dir, 'gradient.png'), gradientPng());
    expect(await run(join(dir, 'gradient.png'))).toBe('Emotion: No face detected');
  });

  it('prints "Error: Failed to decode image" for a file that is no image', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emotion-seed-'));
    writeFileSync(join(dir, 'notes.txt'), 'not an image');
    expect(await run(join(dir, 'notes.txt'))).toBe('Error: Failed to decode image');
  });
});
