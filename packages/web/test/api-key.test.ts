/**
 * The page against a server with API keys on (API_KEYS), in Chromium: the first 401 asks for a
 * key, a wrong one is asked again, the right one is kept for the tab's life only. Skipped,
 * saying so, when Chromium is absent locally; a failure in CI, like e2e.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { facesDir, HAPPY_FACE as HAPPY, type RunningServer, readFace, startServer } from '@emotion/test-support';
import { chromiumAvailable, launchChromium } from '@emotion/test-support/browser';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { writeFaceY4m } from './y4m.js';

const HAPPY_FACE = join(facesDir, HAPPY);
const KEY = 'page-test-key-6c1f0e9a4b2d7358';

const haveChromium = chromiumAvailable('API key browser test');

let server: RunningServer | undefined;
let browser: Browser | undefined;
let baseUrl = '';

beforeAll(async () => {
  if (!haveChromium) return;
  // Request logs on: the stream test checks that no key reaches them.
  server = await startServer({ LOG_REQUESTS: '1', API_KEYS: KEY });
  baseUrl = server.url;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  server?.child.kill('SIGKILL');
});

describe.skipIf(!haveChromium)('the page with API keys on', { timeout: 90_000 }, () => {
  it('asks for a key on 401, asks again after a wrong one, keeps the right one in memory only', async () => {
    const page = await browser!.newPage();
    page.setDefaultTimeout(30_000);
    const asked: string[] = [];
    const answers = ['not-the-key-000000000000', KEY];
    page.on('dialog', (dialog) => {
      asked.push(dialog.message());
      void dialog.accept(answers.shift() ?? '');
    });
    await page.goto(baseUrl);

    await page.setInputFiles('#upload', HAPPY_FACE);
    await page.locator('#faces li', { hasText: 'HAPPY' }).waitFor();
    expect(asked).toHaveLength(2);
    expect(asked[0]).toMatch(/needs an API key/);
    expect(asked[1]).toMatch(/refused that API key/);

    // The next photo goes with the key already given, and nothing was stored.
    await page.evaluate(() => document.getElementById('faces')?.replaceChildren());
    await page.setInputFiles('#upload', HAPPY_FACE);
    await page.locator('#faces li', { hasText: 'HAPPY' }).waitFor();
    expect(asked).toHaveLength(2);
    expect(await page.evaluate(() => localStorage.length + sessionStorage.length)).toBe(0);
    expect(await page.evaluate(() => document.cookie)).toBe('');

    // A reload forgets it: the page asks again, and without a key it says what the server said.
    await page.reload();
    await page.setInputFiles('#upload', HAPPY_FACE);
    await page.waitForFunction(() => document.getElementById('status')?.dataset.kind === 'error');
    expect(asked).toHaveLength(3);
    expect(await page.locator('#status').textContent()).toMatch(/API key required/);
  });
});

describe.skipIf(!haveChromium)('the live stream with API keys on', { timeout: 90_000 }, () => {
  it('streams the camera with the key as a WebSocket subprotocol: never in a URL or the log', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'emotion-key-stream-'));
    const y4m = join(workDir, 'happy.y4m');
    writeFaceY4m(readFace(HAPPY), y4m);
    const camera = await launchChromium([
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${y4m}`,
    ]);
    try {
      const page = await camera.newPage();
      page.setDefaultTimeout(30_000);
      const asked: string[] = [];
      page.on('dialog', (dialog) => {
        asked.push(dialog.message());
        void dialog.accept(KEY);
      });
      const socketUrls: string[] = [];
      page.on('websocket', (socket) => socketUrls.push(socket.url()));
      await page.goto(baseUrl);
      await page.click('#camera');
      await page.waitForFunction(() => document.getElementById('timing')?.dataset.transport === 'stream');
      await page.locator('#faces li', { hasText: 'HAPPY' }).waitFor();
      expect(await page.locator('#timing').textContent()).toMatch(/over the stream/);
      expect(asked).toEqual(['This server needs an API key. It is kept in this tab only.']);
      expect(await page.evaluate(() => localStorage.length + sessionStorage.length)).toBe(0);

      // A browser fails a handshake whose answer names no protocol it offered: the server
      // answers emotion.v1, never the entry with the key.
      const encoded = Buffer.from(KEY).toString('base64url');
      const answered = await page.evaluate(
        (protocols) =>
          new Promise<string>((resolve) => {
            const socket = new WebSocket(
              new URL('/v1/stream', window.location.href).href.replace(/^http/, 'ws'),
              protocols,
            );
            socket.onopen = () => {
              resolve(socket.protocol);
              socket.close();
            };
            socket.onerror = () => resolve('handshake failed');
          }),
        [`emotion.key.${encoded}`, 'emotion.v1'],
      );
      expect(answered).toBe('emotion.v1');
      // Refused without a key, then opened with it; the key was in no URL and no log line.
      expect(socketUrls.length).toBeGreaterThanOrEqual(2);
      for (const url of socketUrls) expect(url).not.toMatch(new RegExp(`${KEY}|${encoded}`));
      expect(server!.output()).toMatch(/"route":"\/v1\/stream"/);
      expect(server!.output()).not.toContain(KEY);
      expect(server!.output()).not.toContain(encoded);
    } finally {
      await camera.close();
      rmSync(workDir, { recursive: true, force: true });
    }
  });
});
