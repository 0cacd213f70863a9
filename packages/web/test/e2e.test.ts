/**
 * End to end, in a real browser: the real server (packages/server/dist/start.cjs, as
 * `pnpm start` runs it) on a free port, Debian's Chromium driven by playwright-core, its
 * camera faked with a Y4M video made here from a real face photo. The page must show the
 * face's emotion over a drawn box; screenshots go to packages/web/test-artifacts/.
 *
 * Skipped, saying so, when Chromium is absent locally; in CI (CI=true) a missing Chromium
 * is a failure, as .ci/run installs it.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { facesDir, HAPPY_FACE, type RunningServer, readFace, SAD_FACE, startServer } from '@emotion/test-support';
import { chromiumAvailable, launchChromium } from '@emotion/test-support/browser';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { writeFacesY4m, writeFaceY4m } from './y4m.js';

const here = dirname(fileURLToPath(import.meta.url));
export const artifactsDir = resolve(here, '../test-artifacts');

const haveChromium = chromiumAvailable('browser test');

/** How long the page may take to show an answer: model load is done, so seconds suffice. */
const ANSWER_TIMEOUT_MS = 30_000;

let server: RunningServer | undefined;
let baseUrl = '';
let workDir = '';

/** Chromium with a fake camera that plays `y4m`, and a fresh profile. */
function launch(y4m: string): Promise<Browser> {
  return launchChromium([
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-video-capture=${y4m}`,
  ]);
}

interface Drawn {
  label: string;
  id?: number;
  box: [number, number, number, number];
}

/** Waits until the overlay has drawn a face labelled `label`, and returns what was drawn. */
async function waitForLabel(page: Page, label: string): Promise<Drawn[]> {
  await page.waitForFunction(
    (wanted) => {
      const faces = document.getElementById('overlay')?.dataset.faces;
      return faces !== undefined && (JSON.parse(faces) as { label: string }[]).some((face) => face.label === wanted);
    },
    label,
    { timeout: ANSWER_TIMEOUT_MS },
  );
  return page.evaluate(() => JSON.parse(document.getElementById('overlay')!.dataset.faces!) as Drawn[]);
}

/**
 * The overlay's pixels in the middle of each edge of the first drawn box that lies inside the
 * canvas (floor(edge) is wholly under a stroke at least 2 px wide, so it is not anti-aliased).
 * The box is read in the same turn as the pixels: live answers redraw the overlay meanwhile.
 */
async function boxEdgePixels(page: Page): Promise<number[][]> {
  return page.evaluate(() => {
    const canvas = document.getElementById('overlay') as HTMLCanvasElement;
    const [x, y, width, height] = (JSON.parse(canvas.dataset.faces!) as { box: number[] }[])[0]!.box as [
      number,
      number,
      number,
      number,
    ];
    const context = canvas.getContext('2d')!;
    const middle = { x: x + width / 2, y: y + height / 2 };
    const edges = [
      [x, middle.y],
      [x + width, middle.y],
      [middle.x, y],
      [middle.x, y + height],
    ].map(([px, py]) => [Math.floor(px!), Math.floor(py!)] as const);
    return edges
      .filter(([px, py]) => px >= 0 && py >= 0 && px < canvas.width && py < canvas.height)
      .map(([px, py]) => [...context.getImageData(px, py, 1, 1).data]);
  });
}

async function expectDrawnFace(page: Page, label: string, colour: [number, number, number]): Promise<void> {
  const drawn = await waitForLabel(page, label);
  expect(drawn).toHaveLength(1);
  const [face] = drawn as [Drawn];
  expect(face.box[2]).toBeGreaterThan(60); // a face-sized box, in overlay pixels
  const pixels = await boxEdgePixels(page);
  expect(pixels.length).toBeGreaterThan(0);
  for (const pixel of pixels) expect(pixel).toEqual([...colour, 255]); // drawn, opaque, in the emotion's colour
  expect(await page.locator('#status').textContent()).toBe(`Emotion: ${label}`);
  expect(await page.locator('#faces li').first().textContent()).toContain(label);
}

function drawnIds(drawn: Drawn[]): (number | undefined)[] {
  return drawn.map((face) => face.id);
}

/** The fake video loops every RECORD_SECONDS: half happy, half sad; a recording covers one loop. */
const RECORD_SECONDS = 8;

interface Summary {
  durationMs: number;
  samples: number;
  faces: number[];
  shares: Record<string, number>;
  dominant: string | null;
}

const HAPPY_COLOUR: [number, number, number] = [0xf5, 0xb7, 0x00];
const SAD_COLOUR: [number, number, number] = [0x3d, 0x7d, 0xd8];

describe.skipIf(!haveChromium)('the web client in Chromium', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'emotion-e2e-'));
    rmSync(artifactsDir, { recursive: true, force: true }); // no stale screenshots
    mkdirSync(artifactsDir, { recursive: true });
    writeFaceY4m(readFace(HAPPY_FACE), join(workDir, 'happy.y4m'));
    writeFaceY4m(readFace(SAD_FACE), join(workDir, 'sad.y4m'));
    writeFacesY4m(
      [
        { jpeg: readFace(HAPPY_FACE), seconds: RECORD_SECONDS / 2 },
        { jpeg: readFace(SAD_FACE), seconds: RECORD_SECONDS / 2 },
      ],
      join(workDir, 'happy-then-sad.y4m'),
    );
    server = await startServer({ LOG_REQUESTS: '0' });
    baseUrl = server.url;
  });

  afterAll(() => {
    server?.child.kill('SIGTERM');
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('live camera with a happy face: HAPPY over a box; then an uploaded sad photo: SAD', async () => {
    const browser = await launch(join(workDir, 'happy.y4m'));
    try {
      const page = await browser.newPage({ viewport: { width: 900, height: 1000 } });
      page.setDefaultTimeout(ANSWER_TIMEOUT_MS);
      await page.goto(baseUrl);
      expect(await page.title()).toMatch(/emotion/);
      await page.click('#camera');
      await expectDrawnFace(page, 'HAPPY', HAPPY_COLOUR);
      expect(await page.locator('#camera').textContent()).toBe('Stop camera');
      // A few more frames go through: the loop keeps going.
      const timing = await page.locator('#timing').textContent();
      expect(timing).toMatch(/^640×480 frame, answered in \d+ ms over the stream, [\d.…]+ frames\/s, \d+ dropped$/);
      expect(drawnIds(await waitForLabel(page, 'HAPPY'))).toEqual([1]); // the stream's track id
      await page.screenshot({ path: join(artifactsDir, 'camera-happy.png') });

      // The upload path: the camera stops, the photo is shown and analysed.
      await page.setInputFiles('#upload', join(facesDir, SAD_FACE));
      await expectDrawnFace(page, 'SAD', SAD_COLOUR);
      expect(await page.locator('#photo').isVisible()).toBe(true);
      expect(await page.locator('#video').isVisible()).toBe(false);
      expect(await page.locator('#camera').textContent()).toBe('Start camera');
      await page.screenshot({ path: join(artifactsDir, 'upload-sad.png') });
    } finally {
      await browser.close();
    }
  });

  it('live camera with a sad face, without WebSockets: SAD over a box, over HTTP', async () => {
    const browser = await launch(join(workDir, 'sad.y4m'));
    try {
      const page = await browser.newPage({ viewport: { width: 900, height: 1000 } });
      page.setDefaultTimeout(ANSWER_TIMEOUT_MS);
      // A browser (or a proxy) without WebSockets: the page falls back to POST /v1/analyze.
      await page.addInitScript(() => Object.defineProperty(window, 'WebSocket', { value: undefined }));
      await page.goto(baseUrl);
      await page.click('#camera');
      await expectDrawnFace(page, 'SAD', SAD_COLOUR);
      expect(await page.locator('#timing').getAttribute('data-transport')).toBe('http');
      expect(await page.locator('#timing').textContent()).toMatch(/^640×480 frame, answered in \d+ ms over HTTP$/);
      await page.screenshot({ path: join(artifactsDir, 'camera-sad.png') });

      // Stop: the camera is released and the page says so.
      await page.click('#camera');
      expect(await page.locator('#status').textContent()).toBe('Camera stopped.');
      expect(await page.evaluate(() => (document.getElementById('video') as HTMLVideoElement).srcObject)).toBeNull();
    } finally {
      await browser.close();
    }
  });

  it('a refused camera and a photo without a face get clear messages', async () => {
    const browser = await launch(join(workDir, 'happy.y4m'));
    try {
      const page = await browser.newPage();
      page.setDefaultTimeout(ANSWER_TIMEOUT_MS);
      // What the browser does when the person clicks "Block".
      await page.addInitScript(() => {
        navigator.mediaDevices.getUserMedia = () =>
          Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
      });
      await page.goto(baseUrl);
      await page.click('#camera');
      await page.waitForFunction(() => document.getElementById('status')?.dataset.kind === 'error');
      expect(await page.locator('#status').textContent()).toMatch(/^Camera access was refused\./);

      await page.setInputFiles('#upload', {
        name: 'blank.png',
        mimeType: 'image/png',
        buffer: await page
          .evaluate(async () => {
            const canvas = document.createElement('canvas');
            canvas.width = 320;
            canvas.height = 240;
            const context = canvas.getContext('2d')!;
            context.fillStyle = '#8899aa';
            context.fillRect(0, 0, 320, 240);
            const blob = await new Promise<Blob>((r) => canvas.toBlob((b) => r(b!), 'image/png'));
            return [...new Uint8Array(await blob.arrayBuffer())];
          })
          .then((bytes) => Buffer.from(bytes)),
      });
      await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('No face detected'));
      expect(await page.locator('#status').textContent()).toBe('No face detected in this photo.');
    } finally {
      await browser.close();
    }
  });
  it('streams a happy-then-sad camera with the mesh, charts it, records a session whose summary has both', async () => {
    const browser = await launch(join(workDir, 'happy-then-sad.y4m'));
    try {
      const page = await browser.newPage({ viewport: { width: 900, height: 1600 }, acceptDownloads: true });
      page.setDefaultTimeout(ANSWER_TIMEOUT_MS);
      await page.goto(baseUrl);
      await page.check('#mesh');
      await page.click('#camera');
      await page.waitForFunction(() => document.getElementById('timing')?.dataset.transport === 'stream');
      await page.waitForFunction(() => Boolean(document.getElementById('overlay')?.dataset.faces?.includes('"id":1')));
      // The mesh: hundreds of cyan points drawn over the face.
      const meshPixels = await page.evaluate(() => {
        const canvas = document.getElementById('overlay') as HTMLCanvasElement;
        const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
        let count = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i]! < 40 && data[i + 1]! > 200 && data[i + 2]! > 230) count++;
        return count;
      });
      expect(meshPixels).toBeGreaterThan(300);
      expect(await page.locator('#timeline .chart canvas').count()).toBeGreaterThan(0);

      await page.fill('#record-seconds', String(RECORD_SECONDS));
      await page.click('#record');
      await page.waitForSelector('#summary:not([hidden])', { timeout: (RECORD_SECONDS + 30) * 1000 });
      await page.screenshot({ path: join(artifactsDir, 'session-summary.png'), fullPage: true });
      const summary = JSON.parse((await page.locator('#summary').getAttribute('data-summary'))!) as Summary;
      // A full loop of the video: both faces seen for a large share, nothing else to speak of.
      expect(summary.samples).toBeGreaterThan(3);
      expect(summary.shares.happy).toBeGreaterThan(0.2);
      expect(summary.shares.sad).toBeGreaterThan(0.2);
      expect(summary.shares.happy! + summary.shares.sad!).toBeGreaterThan(0.8);
      expect(['happy', 'sad']).toContain(summary.dominant);
      expect(await page.locator('#summary-dominant').textContent()).toBe(summary.dominant!.toUpperCase());
      expect(await page.locator('#summary-timeline .chart canvas').count()).toBeGreaterThan(0);

      const [json] = await Promise.all([page.waitForEvent('download'), page.click('#download-json')]);
      const recorded = JSON.parse(readFileSync((await json.path())!, 'utf8')) as {
        summary: Summary;
        samples: unknown[];
      };
      expect(recorded.summary).toEqual(summary);
      expect(recorded.samples).toHaveLength(summary.samples);
      const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
      const rows = readFileSync((await csv.path())!, 'utf8')
        .trim()
        .split('\n');
      expect(rows[0]).toBe('t_ms,face,emotion,angry,disgust,fear,happy,neutral,sad,surprise');
      expect(rows.some((row) => row.includes(',happy,'))).toBe(true);
      expect(rows.some((row) => row.includes(',sad,'))).toBe(true);

      // The stream's pace on this machine, for the record (bench/RESULTS.md), not asserted.
      const stats = await page.locator('#timing').evaluate((element) => ({ ...(element as HTMLElement).dataset }));
      writeFileSync(join(artifactsDir, 'stream-stats.json'), `${JSON.stringify({ ...stats, summary }, null, 2)}\n`);
    } finally {
      await browser.close();
    }
  });
});
