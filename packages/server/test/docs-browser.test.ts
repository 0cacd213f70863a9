/**
 * The docs page in a real browser (Debian's Chromium, driven by playwright-core): it renders
 * the /predict operation, and loads nothing but from this server. Skipped, saying so, when
 * Chromium is absent locally; in CI (CI=true) a missing Chromium fails, as the web client's
 * browser test does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startServer, type RunningServer } from '@emotion/test-support';
import { chromiumAvailable, launchChromium } from '@emotion/test-support/browser';

const haveChromium = chromiumAvailable('docs browser test');

let server: RunningServer | undefined;
beforeAll(async () => {
  if (haveChromium) server = await startServer({ LOG_REQUESTS: '0' });
});
afterAll(() => {
  server?.child.kill('SIGKILL');
});

describe.skipIf(!haveChromium)('GET /docs in Chromium', { timeout: 90_000 }, () => {
  it('shows the /predict operation, loading nothing from elsewhere', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const requested: string[] = [];
      page.on('request', (request) => requested.push(request.url()));
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));

      await page.goto(`${server!.url}/docs`);
      const predict = page.locator('.opblock-summary-path', { hasText: /^\/predict$/ });
      await predict.waitFor({ timeout: 30_000 });
      await predict.click();
      // Expanded, the operation lists its answers, the refusals among them.
      const open = page.locator('.opblock.is-open');
      for (const status of ['200', '400', '401', '429', '503']) {
        await open.locator(`tr.response[data-code="${status}"]`).waitFor({ timeout: 10_000 });
      }
      expect(await open.locator('.opblock-summary-method').textContent()).toBe('POST');

      expect(errors).toEqual([]);
      const elsewhere = requested.filter((url) => !url.startsWith(`${server!.url}/`) && !url.startsWith('data:'));
      expect(elsewhere).toEqual([]);
      expect(requested).toContain(`${server!.url}/openapi.json`);
    } finally {
      await browser.close();
    }
  });
});
