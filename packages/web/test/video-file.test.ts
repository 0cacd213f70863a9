/**
 * "Analyse a video file" in Debian's Chromium against the real server: a clip made here from our
 * own faces (4 s happy, 4 s sad, 2 s without a face; WebM) plays on the page, its frames stream
 * like the camera's, and the session summary that shows at its end has each stretch.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { facesDir, HAPPY_FACE, type RunningServer, SAD_FACE, startServer } from '@emotion/test-support';
import { chromiumAvailable, launchChromium } from '@emotion/test-support/browser';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ffmpegAvailable, makeClip } from '../../core/test/video-clips.js';

const haveTools = chromiumAvailable('video file test') && ffmpegAvailable('video file test');

interface Summary {
  samples: number;
  shares: Record<string, number>;
  dominant: string | null;
  noFace: number;
}

describe.skipIf(!haveTools)('the page analyses a local video file', { timeout: 120_000 }, () => {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let work = '';

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'emotion-video-page-'));
    makeClip(
      join(work, 'clip.webm'),
      [
        { faces: [join(facesDir, HAPPY_FACE)], seconds: 4 },
        { faces: [join(facesDir, SAD_FACE)], seconds: 4 },
        { faces: [], seconds: 2 },
      ],
      { width: 640, height: 480, faceSize: 224 },
    );
    server = await startServer({ LOG_REQUESTS: '0' });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    server?.child.kill('SIGTERM');
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('plays it unmirrored, streams its frames and shows the summary of the whole file when it ends', async () => {
    const page = await browser!.newPage();
    const sockets: string[] = [];
    page.on('websocket', (socket) => sockets.push(socket.url()));
    await page.goto(server!.url);
    await page.setInputFiles('#video-file', join(work, 'clip.webm'));
    await page.waitForFunction(() => document.getElementById('overlay')?.dataset.faces?.includes('HAPPY'), null, {
      timeout: 30_000,
    });
    // A file is shown as it is, not as a mirror; its frames go over the camera's stream.
    expect(await page.locator('#stage').getAttribute('class')).not.toContain('mirrored');
    expect(sockets.some((url) => url.endsWith('/v1/stream') || url.includes('/v1/stream?'))).toBe(true);
    expect(await page.locator('#camera').textContent()).toBe('Stop video');

    await page.waitForSelector('#summary:not([hidden])', { timeout: 40_000 });
    const summary = JSON.parse((await page.locator('#summary').getAttribute('data-summary')) ?? '{}') as Summary;
    expect(summary.samples).toBeGreaterThan(5);
    // Each stretch: about 4 s happy and 4 s sad of the face time, and some time without a face.
    expect(summary.shares.happy).toBeGreaterThan(0.25);
    expect(summary.shares.sad).toBeGreaterThan(0.25);
    expect((summary.shares.happy ?? 0) + (summary.shares.sad ?? 0)).toBeGreaterThan(0.85);
    expect(summary.noFace).toBeGreaterThan(0.05);
    expect(await page.locator('#status').textContent()).toBe('Video analysed: clip.webm.');
    await page.close();
  });
});
