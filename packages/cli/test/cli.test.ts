/** `emotion` as a user runs it: the built bin, spawned, on real faces from ../shared. */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { bin, facesDir, runCli } from './fixtures.js';

// Faces the classifier answers with a clear margin (the server's tests use them too).
const HAPPY = join(facesDir, 'happy/img_161012313.jpg');
const SAD = join(facesDir, 'sad/img_161025507.jpg');
const GREY_PNG = join(facesDir, 'disgust/S022_006_00000015.png');

const work = mkdtempSync(join(tmpdir(), 'emotion-cli-'));
const notAnImage = join(work, 'notes.jpg');
const missing = join(work, 'missing.jpg');
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeAll(() => writeFileSync(notAnImage, 'these are not image bytes'));

interface JsonFace {
  box: { x: number; y: number; width: number; height: number };
  emotion: string;
  emotions: { label: string; probability: number }[];
}
interface JsonImage {
  file: string;
  faces?: JsonFace[];
  annotated?: string;
  error?: { code: string; message: string };
}

describe('emotion --help, --version and usage errors', () => {
  it('prints its version and help, exit 0', async () => {
    const version = await runCli(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: '0.1.0\n' });
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/analyze \[options\] <inputs\.\.\.>/);
    expect(help.stdout).toMatch(/serve/);
    const analyzeHelp = await runCli(['analyze', '--help']);
    for (const flag of ['--json', '--ndjson', '--csv', '--concurrency', '--annotate', '--mesh', '--small-faces'])
      expect(analyzeHelp.stdout).toContain(flag);
  });

  it.each([
    [['analyze']],
    [['analyze', '--json', '--csv', HAPPY]],
    [['analyze', '--concurrency', '0', HAPPY]],
    [['analyze', '--concurrency', 'many', HAPPY]],
    [['analyze', '--mesh', HAPPY]],
    [['analyze', '--small-faces', 'retinaface', HAPPY]],
    [['analyze', '--min-face-size', '-3', HAPPY]],
    [['analyze', join(work, 'nothing-here-*.jpg')]],
    [['frobnicate']],
  ])('exits 2 with a message on stderr for %j', async (args) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/error/);
    expect(run.stdout).toBe('');
  });
});

describe('emotion analyze', () => {
  it('--json: every face with its emotions; failed images keep their error code and the run goes on (exit 1)', async () => {
    const run = await runCli(['analyze', '--json', HAPPY, notAnImage, missing, SAD]);
    expect(run.code).toBe(1);
    const { images } = JSON.parse(run.stdout) as { images: JsonImage[] };
    expect(images.map((image) => image.file)).toEqual([HAPPY, notAnImage, missing, SAD]);
    expect(images[0]!.faces).toHaveLength(1);
    expect(images[0]!.faces![0]!.emotion).toBe('happy');
    expect(images[0]!.faces![0]!.emotions).toHaveLength(7);
    expect(images[3]!.faces![0]!.emotion).toBe('sad');
    expect(images[1]!.error!.code).toBe('UNSUPPORTED_FORMAT');
    expect(images[2]!.error!.code).toBe('ENOENT');
    expect(run.stderr).toMatch(/4 images \(2 failed\), 2 faces/);
  });

  it('--small-faces mtcnn --min-face-size 28 runs the MTCNN pass and still finds each face once', async () => {
    const run = await runCli(['analyze', '--json', '--small-faces', 'mtcnn', '--min-face-size', '28', HAPPY, SAD]);
    expect(run.code).toBe(0);
    const { images } = JSON.parse(run.stdout) as { images: JsonImage[] };
    expect(images.map((image) => image.faces?.length)).toEqual([1, 1]);
  });

  it('exit 0 and a readable table when every image is read', async () => {
    const run = await runCli(['analyze', HAPPY, SAD]);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines.find((line) => line.includes('img_161012313.jpg'))).toMatch(/HAPPY.*happy \d+%/);
    expect(lines.find((line) => line.includes('img_161025507.jpg'))).toMatch(/SAD.*sad \d+%/);
  });

  it('--ndjson streams one line per image; --csv one row per face with all seven probabilities', async () => {
    const ndjson = await runCli(['analyze', '--ndjson', '--concurrency', '1', HAPPY, notAnImage, SAD]);
    const lines = ndjson.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as JsonImage);
    expect(lines.map((line) => line.file)).toEqual([HAPPY, notAnImage, SAD]);
    expect(lines[1]!.error!.code).toBe('UNSUPPORTED_FORMAT');

    const csv = await runCli(['analyze', '--csv', HAPPY, notAnImage]);
    expect(csv.code).toBe(1);
    const rows = csv.stdout.trim().split('\n');
    expect(rows[0]).toBe(
      'file,face,x,y,width,height,score,emotion,angry,disgust,fear,happy,neutral,sad,surprise,error',
    );
    expect(rows).toHaveLength(3);
    // Rows stream as images finish, in whatever order that is.
    const happy = rows.find((row) => row.startsWith(`${HAPPY},`))!.split(',');
    expect(happy[7]).toBe('happy');
    const probabilities = happy.slice(8, 15).map(Number);
    expect(probabilities.reduce((a, b) => a + b)).toBeCloseTo(1, 2);
    expect(rows.find((row) => row.startsWith(`${notAnImage},`))).toMatch(/,UNSUPPORTED_FORMAT$/);
  });

  it('ends quietly with exit 0 when its reader goes away (`| head -2`), without an EPIPE trace', async () => {
    const folder = join(facesDir, 'sad');
    // pipefail off: the CLI's own status is PIPESTATUS[0], head's is 0 either way.
    const script = `"${process.execPath}" "${bin}" analyze --ndjson --concurrency 1 "${folder}" | head -2; echo "cli exit \${PIPESTATUS[0]}" >&2`;
    const run = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn('bash', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', () => resolve({ stdout, stderr }));
    });
    expect(run.stdout.trim().split('\n')).toHaveLength(2);
    expect(run.stderr).toBe('cli exit 0\n');
  });

  it('takes thousands of paths on its command line (ONNX Runtime start-up needs stack in proportion)', async () => {
    // 4,000 paths, 300 KB: each missing one fails alone (ENOENT), the face is still analysed.
    const missingPaths = Array.from({ length: 4000 }, (_, i) =>
      join(work, `no-such-photo-${String(i).padStart(5, '0')}-of-a-long-batch.jpg`),
    );
    const run = await runCli(['analyze', '--ndjson', HAPPY, ...missingPaths]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^4001 images \(4000 failed\), 1 faces/);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(4001);
    expect(lines.filter((line) => line.includes('"emotion":"happy"'))).toHaveLength(1);
  });

  it('finds the images in folders (recursively) and globs', async () => {
    const folder = join(work, 'album');
    mkdirSync(join(folder, 'nested'), { recursive: true });
    copyFileSync(HAPPY, join(folder, 'a.jpg'));
    copyFileSync(GREY_PNG, join(folder, 'nested/b.PNG'));
    writeFileSync(join(folder, 'readme.txt'), 'not an image, and not picked up');
    const run = await runCli(['analyze', '--ndjson', folder, join(facesDir, 'sad/img_161025507.jp*g')]);
    expect(run.code).toBe(0);
    const files = run.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as JsonImage).file)
      .sort();
    expect(files).toEqual([join(folder, 'a.jpg'), join(folder, 'nested/b.PNG'), SAD].sort());
  });

  it('--annotate draws each box in its emotion colour (in Rust), --mesh adds the 468 points', async () => {
    const plain = join(work, 'plain');
    const meshed = join(work, 'meshed');
    const first = await runCli(['analyze', '--json', '--annotate', plain, GREY_PNG, HAPPY]);
    const second = await runCli(['analyze', '--json', '--annotate', meshed, '--mesh', GREY_PNG]);
    expect([first.code, second.code]).toEqual([0, 0]);
    const [grey, happy] = (JSON.parse(first.stdout) as { images: JsonImage[] }).images;
    expect(grey!.annotated).toBe(join(plain, 'S022_006_00000015.png'));
    expect(happy!.annotated).toBe(join(plain, 'img_161012313.jpg'));
    expect(readFileSync(happy!.annotated!).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8])); // JPEG stays JPEG

    const drawn = PNG.sync.read(readFileSync(grey!.annotated!));
    expect([drawn.width, drawn.height]).toEqual([224, 224]);
    const face = grey!.faces![0]!;
    // The source is grey: a coloured pixel on the box's left edge can only have been drawn.
    const colour = pixel(drawn, Math.round(face.box.x), Math.round(face.box.y + face.box.height / 2));
    expect(colour).toEqual(EMOTION_COLOURS[face.emotion]);

    const cyan = (png: PNG) => countPixels(png, [0x00, 0xe5, 0xff]);
    expect(cyan(drawn)).toBe(0);
    expect(cyan(PNG.sync.read(readFileSync(join(meshed, 'S022_006_00000015.png'))))).toBeGreaterThan(300);
  });
});

const EMOTION_COLOURS: Record<string, number[]> = {
  happy: [0xf5, 0xb7, 0x00],
  sad: [0x3d, 0x7d, 0xd8],
  angry: [0xe0, 0x41, 0x3a],
  disgust: [0x5a, 0xa0, 0x2c],
  fear: [0x9b, 0x59, 0xb6],
  surprise: [0xff, 0x7f, 0x2a],
  neutral: [0xcf, 0xd8, 0xdc],
};

function pixel(png: PNG, x: number, y: number): number[] {
  const i = (y * png.width + x) * 4;
  return [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
}

function countPixels(png: PNG, rgb: number[]): number {
  let count = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    if (png.data[i] === rgb[0] && png.data[i + 1] === rgb[1] && png.data[i + 2] === rgb[2]) count++;
  }
  return count;
}
