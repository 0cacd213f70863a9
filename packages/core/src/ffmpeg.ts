/**
 * Video decoding by the `ffmpeg` program the user has (on PATH, or FFMPEG_PATH): nothing is
 * downloaded, nothing is linked. ffmpeg writes each frame as a PPM image (a tiny text header
 * with its size, then RGB bytes) so a frame describes itself, and its `showinfo` filter logs
 * each frame's exact presentation time on stderr, so variable frame rates keep true times.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { basename, dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

export type VideoErrorCode = 'FFMPEG_NOT_FOUND' | 'VIDEO_UNREADABLE';

/** ffmpeg is missing, or it could not read the video (the message carries its own words). */
export class VideoError extends Error {
  constructor(
    readonly code: VideoErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'VideoError';
  }
}

export const FFMPEG_INSTALL_HINT =
  'install ffmpeg (Debian/Ubuntu: apt-get install ffmpeg; Fedora: dnf install ffmpeg-free; macOS: brew install ffmpeg; ' +
  'Windows: winget install ffmpeg) or set FFMPEG_PATH to its program';

export interface FfmpegOptions {
  /** The ffmpeg program; default FFMPEG_PATH, else `ffmpeg` on PATH. ffprobe is looked for beside it. */
  ffmpegPath?: string;
}

export function ffmpegProgram(options: FfmpegOptions = {}): string {
  return options.ffmpegPath ?? process.env.FFMPEG_PATH ?? 'ffmpeg';
}

function ffprobeProgram(options: FfmpegOptions): string {
  const ffmpeg = ffmpegProgram(options);
  // A program named by its path has its ffprobe beside it; a bare name is looked up on PATH.
  if (!ffmpeg.includes('/') && !ffmpeg.includes('\\')) return 'ffprobe';
  return join(dirname(ffmpeg), basename(ffmpeg).replace(/ffmpeg/i, 'ffprobe'));
}

/** A path as ffmpeg must be given it: `file:` so no name is taken for a protocol or an option. */
export const fileArgument = (path: string) => `file:${resolve(path)}`;

export interface VideoInfo {
  width: number;
  height: number;
  /** Average frames per second of the first video stream. */
  frameRate: number;
  /** Seconds, when the container says. */
  duration?: number;
  hasAudio: boolean;
}

/** What ffprobe says of a file: its first video stream, and whether it has sound. */
export async function probeVideo(path: string, options: FfmpegOptions = {}): Promise<VideoInfo> {
  const program = ffprobeProgram(options);
  const args = [
    '-v',
    'error',
    '-show_entries',
    'stream=codec_type,width,height,avg_frame_rate,r_frame_rate,duration:format=duration',
    '-of',
    'json',
    fileArgument(path),
  ];
  const { code, stdout, stderr } = await run(program, args);
  if (code !== 0) throw unreadable(path, stderr);
  const parsed = JSON.parse(stdout) as {
    streams?: Record<string, string | number | undefined>[];
    format?: { duration?: string };
  };
  const streams = parsed.streams ?? [];
  const video = streams.find((stream) => stream.codec_type === 'video');
  if (!video) throw new VideoError('VIDEO_UNREADABLE', `${path}: no video stream`);
  const frameRate = rational(video.avg_frame_rate) || rational(video.r_frame_rate);
  const duration = Number(video.duration ?? parsed.format?.duration);
  return {
    width: Number(video.width),
    height: Number(video.height),
    frameRate,
    ...(Number.isFinite(duration) && duration > 0 ? { duration } : {}),
    hasAudio: streams.some((stream) => stream.codec_type === 'audio'),
  };
}

function rational(value: unknown): number {
  const [num, den] = String(value ?? '')
    .split('/')
    .map(Number);
  if (num === undefined || !Number.isFinite(num)) return 0;
  const rate = den === undefined ? num : den > 0 ? num / den : 0;
  return Number.isFinite(rate) ? rate : 0;
}

export interface DecodeOptions extends FfmpegOptions {
  /** Frames per second to keep (ffmpeg's fps filter); default every frame. */
  fps?: number;
  /** Seconds into the video to begin at. */
  start?: number;
  /** Seconds of video to read. */
  duration?: number;
}

export interface DecodedFrame {
  /** Seconds from the start of the video (the seek point included). */
  time: number;
  width: number;
  height: number;
  /** RGB, row-major, no padding. */
  data: Buffer;
}

export interface Decoder {
  frames: AsyncIterable<DecodedFrame>;
  /** Stops ffmpeg now; resolves once it has exited. */
  stop(): Promise<void>;
}

/** Starts ffmpeg on a file path or on a readable stream of an encoded video. */
export function decodeVideo(source: string | Readable, options: DecodeOptions = {}): Decoder {
  const start = options.start ?? 0;
  const args = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info'];
  if (start > 0) args.push('-ss', String(start));
  args.push('-i', typeof source === 'string' ? fileArgument(source) : 'pipe:0');
  if (options.duration !== undefined) args.push('-t', String(options.duration));
  const filters = [...(options.fps ? [`fps=${options.fps}`] : []), 'showinfo'];
  args.push('-map', '0:v:0', '-vf', filters.join(','), '-f', 'image2pipe', '-c:v', 'ppm', 'pipe:1');
  // Standard input stays ignored for a path: ffmpeg must not wait on a terminal.
  const child = spawn(ffmpegProgram(options), args, {
    stdio: [typeof source === 'string' ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; error?: Error }>((done) => {
    let spawnError: Error | undefined;
    child.once('error', (error) => {
      spawnError = error;
    });
    child.once('close', (code) => done({ code, ...(spawnError ? { error: spawnError } : {}) }));
  });
  if (typeof source !== 'string' && child.stdin) {
    // ffmpeg may stop reading early (-t reached, or stopped): that is no error of ours.
    child.stdin.on('error', () => {});
    source.on('error', () => child.kill('SIGKILL'));
    source.pipe(child.stdin);
  }
  let stopped = false;
  const times = new FrameTimes();
  const log: string[] = [];
  createInterface({ input: child.stderr as Readable }).on('line', (line) => {
    const shown = SHOWINFO.exec(line);
    if (shown) times.add(Number(shown[1]), start + Number(shown[2]));
    else if (!line.includes('Parsed_showinfo') && log.push(line) > 40) log.shift();
  });

  async function* frames(): AsyncGenerator<DecodedFrame> {
    let index = 0;
    try {
      try {
        for await (const frame of ppmFrames(child.stdout as Readable)) {
          const time = (await times.get(index, exited)) ?? start + index / (options.fps || 30);
          index++;
          yield { time, ...frame };
        }
      } catch (error) {
        // Killed mid-frame on purpose: the cut frame is no fault of the video's.
        if (stopped) return;
        throw error;
      }
      const { code, error } = await exited;
      if (error) throw spawnFailure(error);
      // Stopped on purpose (a consumer that had enough, an abort): no failure of the video's.
      if (code !== 0 && !stopped) throw unreadable(typeof source === 'string' ? source : 'the stream', log.join('\n'));
    } finally {
      await stop();
    }
  }

  async function stop(): Promise<void> {
    if (child.exitCode === null && child.signalCode === null) {
      stopped = true;
      child.kill('SIGKILL');
    }
    await exited;
  }

  return { frames: frames(), stop };
}

const SHOWINFO = /Parsed_showinfo.*\bn:\s*(\d+)\s+pts:\s*\S+\s+pts_time:(\S+)/;

function spawnFailure(error: Error): VideoError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'EACCES')
    return new VideoError('FFMPEG_NOT_FOUND', `ffmpeg was not found or cannot run: ${FFMPEG_INSTALL_HINT}`, {
      cause: error,
    });
  return new VideoError('VIDEO_UNREADABLE', `ffmpeg failed to start: ${error.message}`, { cause: error });
}

function unreadable(what: string, stderr: string): VideoError {
  const reason = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !/^(Input|Output|Stream|Metadata|Duration|encoder|major_brand|minor_version)/i.test(line))
    .slice(-3)
    .join('; ');
  return new VideoError('VIDEO_UNREADABLE', `${what}: ffmpeg cannot read it as a video${reason ? ` (${reason})` : ''}`);
}

/** Runs a program to its end (ffprobe), its spawn failure turned into FFMPEG_NOT_FOUND. */
function run(program: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child: ChildProcess = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', (error) => fail(spawnFailure(error)));
    child.once('close', (code) => done({ code, stdout, stderr }));
  });
}

/** Frame times as showinfo logs them, awaited by frame number (stderr may lag stdout). */
class FrameTimes {
  private readonly times: number[] = [];
  private readonly waiting = new Map<number, () => void>();

  add(index: number, time: number): void {
    this.times[index] = time;
    this.waiting.get(index)?.();
    this.waiting.delete(index);
  }

  /** The time of frame `index`; undefined if ffmpeg ended without logging it. */
  async get(index: number, ended: Promise<unknown>): Promise<number | undefined> {
    if (this.times[index] === undefined) {
      await Promise.race([new Promise<void>((resolve) => this.waiting.set(index, resolve)), ended]);
      this.waiting.delete(index);
    }
    return this.times[index];
  }
}

/** Splits ffmpeg's stream of binary PPM (P6, maxval 255) images into frames. */
export async function* ppmFrames(stream: Readable): AsyncGenerator<Omit<DecodedFrame, 'time'>> {
  let header: Buffer = Buffer.alloc(0);
  let frame: { width: number; height: number; data: Buffer; filled: number } | undefined;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let rest = chunk;
    while (rest.length > 0) {
      if (!frame) {
        header = header.length === 0 ? rest : Buffer.concat([header, rest]);
        const parsed = parsePpmHeader(header);
        if (!parsed) {
          if (header.length > 64)
            throw new VideoError('VIDEO_UNREADABLE', 'ffmpeg wrote something that is no PPM frame');
          rest = Buffer.alloc(0);
          continue;
        }
        const { width, height, length } = parsed;
        frame = { width, height, data: Buffer.allocUnsafe(width * height * 3), filled: 0 };
        rest = header.subarray(length);
        header = Buffer.alloc(0);
      }
      const take = Math.min(rest.length, frame.data.length - frame.filled);
      rest.copy(frame.data, frame.filled, 0, take);
      frame.filled += take;
      rest = rest.subarray(take);
      if (frame.filled === frame.data.length) {
        yield { width: frame.width, height: frame.height, data: frame.data };
        frame = undefined;
      }
    }
  }
  if (frame || header.length > 0) throw new VideoError('VIDEO_UNREADABLE', 'the video ended inside a frame');
}

/** "P6 <width> <height> 255" and one whitespace byte; undefined until all of it has arrived. */
function parsePpmHeader(bytes: Buffer): { width: number; height: number; length: number } | undefined {
  const text = bytes.subarray(0, 64).toString('latin1');
  const match = /^P6\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(text);
  if (!match) {
    if (text.length >= 2 && !text.startsWith('P6'))
      throw new VideoError('VIDEO_UNREADABLE', 'ffmpeg wrote no PPM frame');
    return undefined;
  }
  if (match[3] !== '255') throw new VideoError('VIDEO_UNREADABLE', `unexpected PPM depth ${match[3]}`);
  return { width: Number(match[1]), height: Number(match[2]), length: match[0].length };
}
