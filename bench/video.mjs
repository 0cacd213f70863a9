// Video analysis speed (issue 27): frames per second and speed against real time of
// @emotion/core's analyzeVideo (ffmpeg decodes, the engine analyses, the tracker smooths) on
// 640×480 30 fps H.264 clips made here from faces-224 (one face; three side by side), every
// frame and --fps 5, with the engine's parallelism (frames in flight = CPUs, one ORT thread each,
// as `emotion analyze clip.mp4` runs it). The engine is loaded once, before the clocks start.
//
//   flock /tmp/bench.lock node bench/video.mjs [--seconds 20] [--rounds 3]   (after `pnpm build`)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const faces = join(process.env.EMOTION_SHARED_DIR || resolve(repo, '../shared'), 'datasets/faces-224');
const { values: args } = parseArgs({
  options: { seconds: { type: 'string', default: '20' }, rounds: { type: 'string', default: '3' } },
});
const SECONDS = Number(args.seconds);
const ROUNDS = Number(args.rounds);
const HAPPY = join(faces, 'happy/img_161012313.jpg');
const SAD = join(faces, 'sad/img_161025507.jpg');

const { analyzeVideo, createEngine } = await import(pathToFileURL(join(repo, 'packages/core/dist/index.js')).href);

/** A 640×480 30 fps clip of `images` pasted side by side (180 px each) on grey, `SECONDS` long. */
function makeClip(path, images) {
  const inputs = ['-f', 'lavfi', '-i', `color=c=0x808080:s=640x480:r=30:d=${SECONDS}`];
  const filters = [];
  let current = '0:v';
  images.forEach((image, slot) => {
    inputs.push('-loop', '1', '-framerate', '30', '-t', String(SECONDS), '-i', image);
    const x = Math.round(((slot + 0.5) * 640) / images.length - 90);
    filters.push(
      `[${slot + 1}:v]scale=180:180[f${slot}]`,
      `[${current}][f${slot}]overlay=${x}:150:shortest=1[s${slot}]`,
    );
    current = `s${slot}`;
  });
  filters.push(`[${current}]format=yuv420p[video]`);
  const run = spawnSync('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-y', ...inputs, '-filter_complex', filters.join(';')],
    ...['-map', '[video]', '-c:v', 'libx264', '-preset', 'veryfast', '-r', '30', path],
  ]);
  if (run.status !== 0) throw new Error(`ffmpeg: ${run.stderr}`);
}

const work = mkdtempSync(join(tmpdir(), 'emotion-video-bench-'));
try {
  const clips = { 'one face': join(work, 'one.mp4'), 'three faces': join(work, 'three.mp4') };
  makeClip(clips['one face'], [HAPPY]);
  makeClip(clips['three faces'], [HAPPY, SAD, HAPPY]);
  const engine = await createEngine({ intraThreads: 1 });
  console.log(
    `${cpus()[0]?.model}, ${availableParallelism()} CPUs, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; ` + `${new Date().toISOString()}; clips ${SECONDS} s, 640×480, 30 fps; median of ${ROUNDS} rounds`,
  );
  console.log('| clip | frames analysed | frames/s | speed vs real time | faces per frame |');
  console.log('|---|---|---|---|---|');
  for (const [name, clip] of Object.entries(clips)) {
    for (const fps of [undefined, 5]) {
      const runs = [];
      for (let round = 0; round < ROUNDS; round++) {
        const started = performance.now();
        let frames = 0;
        let found = 0;
        for await (const frame of analyzeVideo(engine, clip, { fps })) {
          frames++;
          found += frame.faces.length;
        }
        const seconds = (performance.now() - started) / 1000;
        runs.push({ frames, seconds, perFrame: found / frames });
      }
      runs.sort((a, b) => a.seconds - b.seconds);
      const median = runs[Math.floor(runs.length / 2)];
      console.log(
        `| ${name}, ${fps ? `--fps ${fps}` : 'every frame'} | ${median.frames} | ${(median.frames / median.seconds).toFixed(1)} | ` +
          `${(SECONDS / median.seconds).toFixed(2)}x | ${median.perFrame.toFixed(2)} |`,
      );
    }
  }
  console.log(
    `load after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
