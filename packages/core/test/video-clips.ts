/**
 * Test clips made on the spot from our own faces (faces-224) by Debian's ffmpeg: stretches of
 * faces pasted side by side on a grey background, one after another. Never committed.
 */
import { spawnSync } from 'node:child_process';

export interface Stretch {
  /** faces-224 images shown side by side; [] for a stretch with no face. */
  faces: string[];
  seconds: number;
}

export interface ClipOptions {
  width?: number;
  height?: number;
  fps?: number;
  /** Side of each pasted face, px. */
  faceSize?: number;
  /** Add a sine tone as an AAC audio track. */
  audio?: boolean;
}

/** Encodes `stretches` into `path`, in the container its name says (.webm: VP8, else H.264). */
export function makeClip(path: string, stretches: Stretch[], options: ClipOptions = {}): void {
  const { width = 320, height = 240, fps = 10, faceSize = 160, audio = false } = options;
  const inputs: string[] = [];
  const filters: string[] = [];
  let input = 0;
  stretches.forEach((stretch, index) => {
    inputs.push('-f', 'lavfi', '-i', `color=c=0x808080:s=${width}x${height}:r=${fps}:d=${stretch.seconds}`);
    let current = `${input++}:v`;
    stretch.faces.forEach((face, slot) => {
      inputs.push('-loop', '1', '-framerate', String(fps), '-t', String(stretch.seconds), '-i', face);
      const x = Math.round(((slot + 0.5) * width) / stretch.faces.length - faceSize / 2);
      const y = Math.round((height - faceSize) / 2);
      filters.push(`[${input}:v]scale=${faceSize}:${faceSize},format=rgb24[f${index}_${slot}]`);
      filters.push(`[${current}][f${index}_${slot}]overlay=${x}:${y}:shortest=1[s${index}_${slot}]`);
      current = `s${index}_${slot}`;
      input++;
    });
    filters.push(`[${current}]setsar=1,format=yuv420p[seg${index}]`);
  });
  const segments = stretches.map((_, index) => `[seg${index}]`).join('');
  filters.push(`${segments}concat=n=${stretches.length}:v=1:a=0[video]`);
  const total = stretches.reduce((sum, stretch) => sum + stretch.seconds, 0);
  const webm = /\.webm$/i.test(path);
  if (audio) inputs.push('-f', 'lavfi', '-i', `sine=frequency=440:duration=${total}`);
  const args = [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    ...inputs,
    '-filter_complex',
    filters.join(';'),
    '-map',
    '[video]',
    // WebM (VP8, Opus) for browsers that lack H.264; H.264 and AAC otherwise.
    ...(audio ? ['-map', `${input}:a`, '-c:a', webm ? 'libopus' : 'aac'] : []),
    ...(webm ? ['-c:v', 'libvpx', '-b:v', '1M'] : ['-c:v', 'libx264', '-preset', 'veryfast']),
    '-r',
    String(fps),
    // An MP4's index goes first, so the clip can be read from a pipe too.
    ...(/\.(mp4|mov)$/i.test(path) ? ['-movflags', '+faststart'] : []),
    path,
  ];
  const result = spawnSync('ffmpeg', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ffmpeg could not make ${path}: ${result.stderr || result.error?.message}`);
}

/**
 * Whether ffmpeg runs here. Without it a local run skips the video tests, saying so; in CI (CI
 * set) that is a failure instead, since .ci/run installs it.
 */
export function ffmpegAvailable(testName: string): boolean {
  if (spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).error === undefined) return true;
  const message = `${testName}: no ffmpeg on PATH (apt-get install ffmpeg)`;
  if (process.env.CI) throw new Error(`${message}; CI must run it`);
  console.warn(`${message}: SKIPPED`);
  return false;
}

/** The ffmpeg processes that are children of this process now. */
export function ffmpegChildren(): number[] {
  const listing = spawnSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' }).stdout;
  return listing
    .split('\n')
    .filter((line) => /\bffmpeg\b/.test(line))
    .map((line) => Number.parseInt(line, 10));
}
