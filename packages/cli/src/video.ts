/**
 * `emotion analyze clip.mp4`: each video through @emotion/core's analyzeVideo (ffmpeg decodes,
 * the engine analyses, the tracker follows and smooths), streamed to the chosen output, with
 * the clip's summary, and on request its chart (PNG) and summary file (JSON).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

import { analyzeVideo, createEngine, probeVideo, type SmallFaceDetector, VideoError } from '@emotion/core';

import { startEncoder } from './annotated-video.js';
import { type ChartSample, renderChart } from './chart.js';
import type { Format } from './formats.js';
import { createProgress } from './progress.js';
import { createVideoReporter } from './video-formats.js';

export const VIDEO_EXTENSIONS = [
  'mp4',
  'm4v',
  'mov',
  'mkv',
  'webm',
  'avi',
  'mpg',
  'mpeg',
  'ts',
  'mts',
  'flv',
  'wmv',
  'ogv',
  '3gp',
];

export const isVideoPath = (path: string) => new RegExp(`\\.(${VIDEO_EXTENSIONS.join('|')})$`, 'i').test(path);

export interface VideoCliOptions {
  format: Format;
  /** Frames analysed at once. */
  concurrency: number;
  fps?: number;
  start?: number;
  duration?: number;
  /** Smoothing time constant, ms. */
  tau: number;
  smallFaces?: SmallFaceDetector;
  minFaceSize?: number;
  /** Where to write the chart (PNG) and the summary (JSON) of the one video. */
  chart?: string;
  summary?: string;
  /** Where to write the video re-encoded with its faces drawn (the one video); `mesh`: the landmarks too. */
  annotate?: string;
  mesh?: boolean;
}

export interface VideosDone {
  videos: number;
  failed: number;
  frames: number;
  /** Seconds of video analysed, and of wall-clock time it took. */
  videoSeconds: number;
  seconds: number;
}

export async function analyzeVideos(files: string[], options: VideoCliOptions): Promise<VideosDone> {
  const started = performance.now();
  const engine = await createEngine({
    intraThreads: 1,
    smallFaceDetector: options.smallFaces,
    minFaceSize: options.minFaceSize,
  });
  const reporter = createVideoReporter(options.format, (text) => process.stdout.write(text), process.stdout.isTTY);
  const done: VideosDone = { videos: files.length, failed: 0, frames: 0, videoSeconds: 0, seconds: 0 };
  for (const file of files) {
    try {
      const info = await probeVideo(file);
      const span = Math.max(0, Math.min((info.duration ?? 0) - (options.start ?? 0), options.duration ?? Infinity));
      const progress = createProgress(Math.round(span * (options.fps ?? info.frameRate)), process.stderr, 'frames');
      const analysis = analyzeVideo(engine, file, {
        fps: options.fps,
        start: options.start,
        duration: options.duration,
        timeConstantMs: options.tau,
        concurrency: options.concurrency,
        ...(options.annotate ? { annotate: { mesh: options.mesh === true } } : {}),
      });
      const encoder = options.annotate
        ? await startEncoder(options.annotate, {
            source: file,
            frameRate: options.fps ?? info.frameRate,
            start: options.start,
            duration: options.duration,
          })
        : undefined;
      const samples: ChartSample[] = [];
      try {
        for await (const frame of analysis) {
          reporter.frame(file, frame);
          if (encoder && frame.annotated) await encoder.write(frame.annotated);
          if (options.chart)
            for (const face of frame.faces)
              samples.push({
                time: frame.time,
                track: face.track,
                probabilities: Object.fromEntries(face.emotions.map((e) => [e.label, e.probability])),
              });
          progress.tick();
        }
        await encoder?.end();
      } finally {
        encoder?.abort();
        progress.stop();
      }
      const summary = analysis.summary();
      reporter.clip(file, summary);
      done.frames += summary.frames;
      done.videoSeconds += summary.seconds;
      const from = options.start ?? 0;
      if (options.chart) {
        const chart = await renderChart(samples, `${file}: emotions of each face`, from, from + summary.seconds);
        await writeOut(options.chart, chart);
      }
      if (options.summary) await writeOut(options.summary, `${JSON.stringify({ file, summary }, null, 2)}\n`);
    } catch (error) {
      // No ffmpeg fails every video alike: the whole run stops with the install hint.
      if (!(error instanceof VideoError) || error.code === 'FFMPEG_NOT_FOUND') throw error;
      process.stderr.write(`emotion: ${error.message}\n`);
      done.failed++;
    }
  }
  reporter.end();
  done.seconds = (performance.now() - started) / 1000;
  return done;
}

async function writeOut(path: string, content: Buffer | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
}
