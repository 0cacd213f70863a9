/**
 * analyzeVideo on clips made here from our own faces: a happy stretch, a sad one, none; decoded
 * by the real ffmpeg, analysed by the real engine, followed by the product's tracker.
 */
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { facesDir, HAPPY_FACE, SAD_FACE } from '@emotion/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { analyzeVideo, createEngine, type Engine, probeVideo, type VideoFrame, VideoError } from '../src/index.js';
import { ffmpegAvailable, ffmpegChildren, makeClip } from './video-clips.js';

const work = mkdtempSync(join(tmpdir(), 'emotion-video-'));
const clip = join(work, 'happy-sad-none.mp4');
const long = join(work, 'long.mkv');
let engine: Engine;

beforeAll(async () => {
  if (!ffmpegAvailable('analyzeVideo')) return;
  // 3 s of a happy face, 3 s of a sad one, 2 s of grey; 10 fps, with a sound track.
  makeClip(
    clip,
    [
      { faces: [join(facesDir, HAPPY_FACE)], seconds: 3 },
      { faces: [join(facesDir, SAD_FACE)], seconds: 3 },
      { faces: [], seconds: 2 },
    ],
    { audio: true },
  );
  makeClip(long, [{ faces: [join(facesDir, HAPPY_FACE)], seconds: 30 }]);
  engine = await createEngine({ intraThreads: 1 });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function collect(frames: AsyncIterable<VideoFrame>): Promise<VideoFrame[]> {
  const out: VideoFrame[] = [];
  for await (const frame of frames) out.push(frame);
  return out;
}

describe.skipIf(!ffmpegAvailable('analyzeVideo'))('analyzeVideo', () => {
  it('probes the clip: size, frame rate, duration, sound', async () => {
    expect(await probeVideo(clip)).toEqual({ width: 320, height: 240, frameRate: 10, duration: 8, hasAudio: true });
  });

  it('follows one face through the happy and the sad stretch; the summary shows each stretch and the time without a face', async () => {
    const video = analyzeVideo(engine, clip, { timeConstantMs: 200 });
    const frames = await collect(video);
    expect(frames).toHaveLength(80);
    expect(frames.map((frame) => frame.index)).toEqual([...Array(80).keys()]);
    expect(frames.map((frame) => frame.time)).toEqual([...Array(80).keys()].map((i) => i / 10));
    const top = (frame: VideoFrame) => frame.faces.map((face) => face.emotion).join();
    // Well inside each stretch (smoothing takes a few tenths of a second to turn).
    expect(frames.slice(0, 30).every((frame) => top(frame) === 'happy')).toBe(true);
    expect(frames.slice(40, 60).every((frame) => top(frame) === 'sad')).toBe(true);
    expect(frames.slice(60).every((frame) => frame.faces.length === 0)).toBe(true);
    // One track (the same face position, one id); at the first sad frame the raw answer has turned, the smoothed one not yet.
    expect(new Set(frames.flatMap((frame) => frame.faces.map((face) => face.track)))).toEqual(new Set([1]));
    const turning = frames[30]?.faces[0];
    expect(turning?.raw[0]?.label).toBe('sad');
    expect(turning?.emotion).toBe('happy');

    const summary = video.summary();
    expect(summary.frames).toBe(80);
    expect(summary.seconds).toBeCloseTo(8, 6);
    expect(summary.noFaceSeconds).toBeCloseTo(2, 6);
    expect(summary.noFaceShare).toBeCloseTo(0.25, 6);
    expect(summary.tracks).toHaveLength(1);
    const [face] = summary.tracks;
    expect(face).toMatchObject({ track: 1, firstSeen: 0, lastSeen: 5.9 });
    expect(face?.seconds).toBeCloseTo(6, 6);
    // 3 s each, give or take the smoothing's lag of a frame or two.
    expect(face?.shares.happy).toBeGreaterThan(0.5);
    expect(face?.shares.happy).toBeLessThan(0.56);
    expect(face?.shares.sad).toBeGreaterThan(0.44);
    expect((face?.shares.happy ?? 0) + (face?.shares.sad ?? 0)).toBeCloseTo(1, 6);
    expect(summary.dominant).toBe('happy');
  });

  it('faces that come and go: a track each, their own time in view, the empty stretch as time without a face', async () => {
    const scene = join(work, 'scene.mkv');
    // Three faces side by side for 2 s, nobody for 1.6 s (the tracker forgets them), then one face for 2 s.
    const [happy, sad] = [join(facesDir, HAPPY_FACE), join(facesDir, SAD_FACE)];
    makeClip(
      scene,
      [
        { faces: [happy, sad, happy], seconds: 2 },
        { faces: [], seconds: 1.6 },
        { faces: [sad], seconds: 2 },
      ],
      { width: 480, height: 240, faceSize: 140 },
    );
    const video = analyzeVideo(engine, scene, { fps: 5, timeConstantMs: 0 });
    const frames = await collect(video);
    expect(frames.slice(0, 10).every((frame) => frame.faces.length === 3)).toBe(true);
    const summary = video.summary();
    expect(summary.tracks.map((track) => track.track)).toEqual([1, 2, 3, 4]);
    const [first, second, third, fourth] = summary.tracks;
    for (const track of [first, second, third])
      expect(track).toMatchObject({ firstSeen: 0, lastSeen: 1.8, seconds: 2 });
    expect(fourth).toMatchObject({ firstSeen: 3.6, lastSeen: 5.4, seconds: 2, dominant: 'sad' });
    expect([first, second, third].map((track) => track?.dominant).sort()).toEqual(['happy', 'happy', 'sad']);
    expect(summary.noFaceSeconds).toBeCloseTo(1.6, 6);
    expect(summary.seconds).toBeCloseTo(5.6, 6);
  });

  it('--fps, --start and --duration: frames at those times only; a stream reads like the file', async () => {
    const options = { fps: 2, start: 2, duration: 3, timeConstantMs: 0 };
    const fromFile = await collect(analyzeVideo(engine, clip, options));
    expect(fromFile.map((frame) => frame.time)).toEqual([2, 2.5, 3, 3.5, 4, 4.5]);
    expect(fromFile.map((frame) => frame.faces[0]?.emotion)).toEqual(['happy', 'happy', 'sad', 'sad', 'sad', 'sad']);
    const fromStream = await collect(analyzeVideo(engine, createReadStream(clip), options));
    // The engine's method is the same analysis.
    const fromMethod = await collect(engine.analyzeVideo(clip, options));
    expect(fromStream).toEqual(fromFile);
    expect(fromMethod).toEqual(fromFile);
  });

  it('keeps the decoded pixels on request, as RGB', async () => {
    const [first] = await collect(analyzeVideo(engine, clip, { duration: 0.1, keepPixels: true }));
    expect(first?.image?.data.length).toBe(320 * 240 * 3);
    // Re-analysing the kept pixels finds the face the iteration reported.
    const faces = await engine.analyze(first?.image ?? { data: new Uint8Array(0), width: 0, height: 0 });
    expect(faces[0]?.box).toEqual(first?.faces[0]?.box);
  });

  it('an AbortSignal stops it: the iteration rejects with the reason and no ffmpeg is left running', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const run = (async () => {
      for await (const frame of analyzeVideo(engine, long, { signal: controller.signal })) {
        seen.push(frame.index);
        if (frame.index === 3) controller.abort(new Error('enough'));
      }
    })();
    await expect(run).rejects.toThrow('enough');
    expect(seen.length).toBeLessThan(300);
    expect(ffmpegChildren()).toEqual([]);

    const aborted = AbortSignal.abort(new Error('before the start'));
    await expect(collect(analyzeVideo(engine, long, { signal: aborted }))).rejects.toThrow('before the start');
  });

  it('breaking out of the loop stops ffmpeg too', async () => {
    for await (const frame of analyzeVideo(engine, long)) if (frame.index === 2) break;
    expect(ffmpegChildren()).toEqual([]);
  });

  it('typed errors: no ffmpeg (with the install hint), a file that is no video, iterating twice', async () => {
    const missing = collect(analyzeVideo(engine, clip, { ffmpegPath: join(work, 'no-ffmpeg-here') }));
    await expect(missing).rejects.toBeInstanceOf(VideoError);
    await expect(missing).rejects.toMatchObject({ code: 'FFMPEG_NOT_FOUND', message: /apt-get install ffmpeg/ });

    const text = join(work, 'notes.mp4');
    writeFileSync(text, 'not a video at all');
    await expect(collect(analyzeVideo(engine, text))).rejects.toMatchObject({ code: 'VIDEO_UNREADABLE' });
    await expect(probeVideo(text)).rejects.toMatchObject({ code: 'VIDEO_UNREADABLE' });

    const video = analyzeVideo(engine, clip, { duration: 0.2 });
    await collect(video);
    await expect(collect(video)).rejects.toThrow(/only once/);
  });
});
