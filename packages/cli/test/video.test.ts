/**
 * `emotion analyze clip.mp4` as a user runs it (the built bin), on a clip made here from our own
 * faces: 3 s happy, 3 s sad, 2 s without a face, 10 fps, with sound.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { HAPPY_FACE, SAD_FACE } from '@emotion/test-support';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ffmpegAvailable, makeClip } from '../../core/test/video-clips.js';
import { facesDir, runCli } from './fixtures.js';

const work = mkdtempSync(join(tmpdir(), 'emotion-cli-video-'));
const clip = join(work, 'happy-sad-none.mp4');
const HAPPY = join(facesDir, HAPPY_FACE);

interface Summary {
  seconds: number;
  frames: number;
  noFaceSeconds: number;
  dominant: string | null;
  shares: Record<string, number>;
  tracks: { track: number; firstSeen: number; lastSeen: number; seconds: number; dominant: string | null }[];
}

beforeAll(() => {
  if (!ffmpegAvailable('emotion analyze clip.mp4')) return;
  makeClip(
    clip,
    [
      { faces: [HAPPY], seconds: 3 },
      { faces: [join(facesDir, SAD_FACE)], seconds: 3 },
      { faces: [], seconds: 2 },
    ],
    { audio: true },
  );
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!ffmpegAvailable('emotion analyze clip.mp4'))('emotion analyze <video>', { timeout: 120_000 }, () => {
  it('table: the clip, its face with when it was seen, its dominant emotion and shares, the time without a face', async () => {
    const run = await runCli(['analyze', clip]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${clip}: 8.0 s analysed (80 frames), 1 face, no face 2.0 s (25%)`);
    const row = run.stdout.split('\n').find((line) => /│ 1 /.test(line));
    expect(row).toMatch(/0\.0–5\.9.*6\.0 s.*HAPPY.*happy 5\d%, sad 4\d%/);
    expect(run.stderr).toMatch(/1 video \(0 failed\), 80 frames in [\d.]+ s: [\d.]+ frames\/s, [\d.]+x real time/);
  });

  it('--json and --summary: the same summary, with each stretch; --chart draws both emotions', async () => {
    const chart = join(work, 'chart.png');
    const file = join(work, 'summary.json');
    const run = await runCli(['analyze', '--json', '--fps', '5', '--chart', chart, '--summary', file, clip]);
    expect(run.code).toBe(0);
    const { videos } = JSON.parse(run.stdout) as { videos: { file: string; summary: Summary }[] };
    expect(videos).toHaveLength(1);
    const summary = videos[0]?.summary;
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ file: clip, summary });
    expect(summary).toMatchObject({ frames: 40, seconds: 8, noFaceSeconds: 2, dominant: 'happy' });
    expect(summary?.shares.happy).toBeGreaterThan(0.45);
    expect(summary?.shares.sad).toBeGreaterThan(0.4);
    expect(summary?.tracks).toHaveLength(1);
    expect(summary?.tracks[0]).toMatchObject({ track: 1, firstSeen: 0, lastSeen: 5.8, seconds: 6 });

    const png = PNG.sync.read(readFileSync(chart));
    expect(png.width).toBeGreaterThan(800);
    // The happy and the sad line, each in its colour (the web page's), and long enough to be a line.
    expect(countNear(png, [0xf5, 0xb7, 0x00])).toBeGreaterThan(300);
    expect(countNear(png, [0x3d, 0x7d, 0xd8])).toBeGreaterThan(300);
  });

  it('--ndjson: a line per analysed frame with its time, track, box, smoothed and raw emotions', async () => {
    const run = await runCli(['analyze', '--ndjson', '--fps', '1', '--tau', '0', clip]);
    expect(run.code).toBe(0);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as {
            file: string;
            time: number;
            faces: { track: number; emotion: string; emotions: unknown[]; raw: { label: string }[] }[];
          },
      );
    expect(lines.map((line) => line.time)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(lines.map((line) => line.faces[0]?.emotion ?? 'none')).toEqual([
      ...Array(3).fill('happy'),
      ...Array(3).fill('sad'),
      'none',
      'none',
    ]);
    const face = lines[0]?.faces[0];
    expect(face?.track).toBe(1);
    expect(face?.emotions).toHaveLength(7);
    // --tau 0: no smoothing, so the smoothed answer is the raw one.
    expect(face?.raw[0]?.label).toBe(face?.emotion);
  });

  it('--csv: a row per face per frame, smoothed then raw probabilities; a frame without a face has no track', async () => {
    const run = await runCli(['analyze', '--csv', '--fps', '1', '--start', '5', clip]);
    expect(run.code).toBe(0);
    const rows = run.stdout.trim().split('\n');
    expect(rows[0]).toBe(
      'file,time,track,x,y,width,height,score,emotion,angry,disgust,fear,happy,neutral,sad,surprise,' +
        'raw_angry,raw_disgust,raw_fear,raw_happy,raw_neutral,raw_sad,raw_surprise',
    );
    const cells = rows.slice(1).map((row) => row.split(','));
    expect(cells.map((row) => row[1])).toEqual(['5', '6', '7']);
    expect(cells[0]?.[2]).toBe('1');
    expect(cells[0]?.[8]).toBe('sad');
    expect(cells[1]?.slice(2).every((cell) => cell === '')).toBe(true);
  });

  it('--annotate out.mp4: every analysed frame with its face drawn by the engine in its emotion colour, sound copied', async () => {
    const out = join(work, 'drawn', 'annotated.mp4');
    const run = await runCli(['analyze', '--json', '--annotate', out, clip]);
    expect(run.code).toBe(0);
    const probe = spawnSync(
      'ffprobe',
      ['-v', 'error', '-show_entries', 'stream=codec_type,nb_frames,duration', '-of', 'json', out],
      { encoding: 'utf8' },
    );
    const streams = (JSON.parse(probe.stdout) as { streams: Record<string, string>[] }).streams;
    expect(streams.map((stream) => stream.codec_type)).toEqual(['video', 'audio']);
    expect(streams[0]?.nb_frames).toBe('80');
    // The source is grey faces on grey: colour at 1 s (happy) and 4.5 s (sad) can only have been drawn.
    expect(countNear(frameAt(out, 1), [0xf5, 0xb7, 0x00])).toBeGreaterThan(200);
    expect(countNear(frameAt(out, 4.5), [0x3d, 0x7d, 0xd8])).toBeGreaterThan(200);
    expect(countNear(frameAt(out, 7), [0x3d, 0x7d, 0xd8]) + countNear(frameAt(out, 7), [0xf5, 0xb7, 0x00])).toBe(0);
  });

  it('no ffmpeg: exit 1 at once with the install hint; a file that is no video fails alone', async () => {
    const missing = await runCli(['analyze', clip], { env: { FFMPEG_PATH: join(work, 'no-ffmpeg') } });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /^emotion: ffmpeg was not found or cannot run: install ffmpeg \(Debian\/Ubuntu: apt-get install ffmpeg/,
    );
    expect(missing.stdout).toBe('');

    const notes = join(work, 'notes.mp4');
    writeFileSync(notes, 'not a video at all');
    const bad = await runCli(['analyze', '--json', notes, clip]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`emotion: ${notes}: ffmpeg cannot read it as a video`);
    expect((JSON.parse(bad.stdout) as { videos: unknown[] }).videos).toHaveLength(1);
  });

  it.each([
    [['analyze', 'CLIP', HAPPY], /separate runs/],
    [['analyze', '--fps', '5', HAPPY], /--fps is for videos/],
    [['analyze', '--chart', 'c.png', 'CLIP', 'CLIP2'], /--chart takes one video/],
    [['analyze', '--server', 'http://127.0.0.1:1', 'CLIP'], /--server takes images/],
    [['analyze', '--fps', '0', 'CLIP'], /--fps/],
    [['analyze', '--start', 'soon', 'CLIP'], /--start/],
  ])('usage error (exit 2): %j', async (args, message) => {
    const run = await runCli(
      args.map((arg) => (arg === 'CLIP' ? clip : arg === 'CLIP2' ? join(work, 'other.mkv') : arg)),
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});

/** The frame of `video` at `seconds`, decoded by ffmpeg. */
function frameAt(video: string, seconds: number): PNG {
  const png = spawnSync(
    'ffmpeg',
    ['-v', 'error', '-ss', String(seconds), '-i', video, '-frames:v', '1', '-f', 'image2pipe', '-c:v', 'png', 'pipe:1'],
    { maxBuffer: 64 << 20 },
  );
  return PNG.sync.read(png.stdout);
}

/** Pixels within a small distance of `rgb` (antialiased lines and video compression blend colours). */
function countNear(png: PNG, rgb: number[]): number {
  let count = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    const d =
      Math.abs((png.data[i] ?? 0) - (rgb[0] ?? 0)) +
      Math.abs((png.data[i + 1] ?? 0) - (rgb[1] ?? 0)) +
      Math.abs((png.data[i + 2] ?? 0) - (rgb[2] ?? 0));
    if (d < 40) count++;
  }
  return count;
}
