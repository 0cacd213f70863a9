/**
 * `emotion analyze clip.mp4 --annotate out.mp4`: the frames the engine drew (JPEG, in order)
 * re-encoded by ffmpeg into a video at the analysed frame rate, with the source's sound copied
 * (the same stretch of it: --start/--duration apply to both).
 */
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

import { VideoError } from '@emotion/core';

export interface EncoderOptions {
  /** The source video, whose sound is copied. */
  source: string;
  /** Frames per second of the drawn frames. */
  frameRate: number;
  start?: number;
  duration?: number;
}

export interface Encoder {
  /** Queues one drawn frame; resolves when ffmpeg can take more. */
  write(jpeg: Buffer): Promise<void>;
  /** No more frames: resolves once the file is written. */
  end(): Promise<void>;
  /** Stops ffmpeg, leaving whatever it wrote. */
  abort(): void;
}

export async function startEncoder(output: string, options: EncoderOptions): Promise<Encoder> {
  await mkdir(dirname(resolve(output)), { recursive: true });
  const sound = [
    ...(options.start ? ['-ss', String(options.start)] : []),
    ...(options.duration !== undefined ? ['-t', String(options.duration)] : []),
    '-i',
    `file:${resolve(options.source)}`,
  ];
  const args = [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'],
    ...['-f', 'image2pipe', '-c:v', 'mjpeg', '-framerate', String(options.frameRate), '-i', 'pipe:0'],
    ...sound,
    // The drawn frames, and the source's first sound track if it has one, copied as it is.
    ...['-map', '0:v:0', '-map', '1:a:0?', '-c:a', 'copy'],
    ...['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-shortest'],
    `file:${resolve(output)}`,
  ];
  const child = spawn(process.env.FFMPEG_PATH ?? 'ffmpeg', args, { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((done) => {
    child.once('error', () => done(-1));
    child.once('close', (code) => done(code));
  });
  // A write after ffmpeg failed is reported by `end`, with ffmpeg's words.
  child.stdin.on('error', () => {});
  const failure = () =>
    new VideoError(
      'VIDEO_UNREADABLE',
      `ffmpeg could not write ${output}: ${stderr.trim().split('\n').slice(-2).join('; ')}`,
    );

  return {
    async write(jpeg) {
      if (child.exitCode !== null) throw failure();
      if (!child.stdin.write(jpeg))
        await Promise.race([new Promise((done) => child.stdin.once('drain', done)), exited]);
    },
    async end() {
      child.stdin.end();
      if ((await exited) !== 0) throw failure();
    },
    abort: () => child.kill('SIGKILL'),
  };
}
