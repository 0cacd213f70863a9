/**
 * The page against a server with API keys on (API_KEYS), in Chromium: the first 401 asks for a
 * key, a wrong one is asked again, the right one is kept for the tab's life only. Skipped,
 * saying so, when Chromium is absent locally; a failure in CI, like e2e.test.ts.
 */
import { join } from 'node:path';

import { facesDir, HAPPY_FACE as HAPPY, type RunningServer, startServer } from '@emotion/test-support';
import { chromiumAvailable, launchChromium } from '@emotion/test-support/browser';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const HAPPY_FACE = join(facesDir, HAPPY);
const KEY = 'page-test-key-6c1f0e9a4b2d7358';

const haveChromium = chromiumAvailable('API key browser test');

let server: RunningServer | undefined;
let browser: Browser | undefined;
let baseUrl = '';

beforeAll(async () => {
  if (!haveChromium) return;
  server = await startServer({ LOG_REQUESTS: '0', API_KEYS: KEY });
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
