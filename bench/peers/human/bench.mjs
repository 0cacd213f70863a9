// Per-frame latency of Human (tfjs WASM) against our engine, one thread each, in one process.
// Usage: node bench.mjs [runs=100] [warmup=10]
// JSON on stdout; a markdown table on stderr (so `node bench.mjs > out.json` stays valid JSON).
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { FRAMES, decodeRgb, humanConfig, humanFaces, loadEngine, loadHuman, toTensor } from './peers.mjs';

const RUNS = Number(process.argv[2] ?? 100);
const WARMUP = Number(process.argv[3] ?? 10);
const FRAME_FILES = ['face224.jpg', 'webcam_one_face.png', 'hd_two_faces.png'];
const round = (x) => +x.toFixed(2);

const stats = (ms) => {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(s.length * q))];
  return { median: round(at(0.5)), p90: round(at(0.9)) };
};

const h = await loadHuman();
const ours = await loadEngine();
// Human's BlazeFace looks at the whole frame once at 256x256; our default adds a second,
// small-face pass (minFaceSize 48). minFaceSize 0 is our like-for-like single pass.
const oursSingle = await loadEngine({ minFaceSize: 0 });
const tf = h.human.tf;

const oursFaces = (faces) =>
  faces.map((f) => ({
    box: [f.box.x, f.box.y, f.box.width, f.box.height].map(Math.round),
    emotions: Object.fromEntries(f.emotions.map((e) => [e.label, round(e.probability)])),
  }));

const frames = [];
for (const file of FRAME_FILES) {
  const bytes = readFileSync(join(FRAMES, file));
  const decodeMs = [];
  let pixels;
  for (let i = 0; i < 20; i++) {
    // the decode a Human user pays before detect; not in detect's time
    const t0 = performance.now();
    pixels = decodeRgb(bytes);
    toTensor(tf, pixels).dispose();
    decodeMs.push(performance.now() - t0);
  }
  const tensor = toTensor(tf, pixels);
  // Like for like: ours gets the decoded pixels Human gets; `oursBytes` also decodes the file.
  const raw = { data: pixels.rgb, width: pixels.width, height: pixels.height };

  const contenders = {
    human: async () => humanFaces(await h.human.detect(tensor)),
    ours: async () => oursFaces(await ours.engine.analyze(raw)),
    oursSinglePass: async () => oursFaces(await oursSingle.engine.analyze(raw)),
    oursBytes: async () => oursFaces(await ours.engine.analyze(bytes)),
  };
  const timings = Object.fromEntries(Object.keys(contenders).map((k) => [k, { ms: [], cpu: 0, faces: [] }]));
  for (let i = 0; i < WARMUP; i++) for (const run of Object.values(contenders)) await run();

  const tensorsBefore = tf.memory().numTensors;
  // Interleave the contenders so load from other jobs on the machine falls on all alike.
  for (let i = 0; i < RUNS; i++) {
    for (const [name, run] of Object.entries(contenders)) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const faces = await run();
      const wall = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const t = timings[name];
      t.ms.push(wall);
      t.cpu += (cpu.user + cpu.system) / 1000 / wall; // process CPU / wall: ~1.0 = one busy thread
      t.faces = faces;
    }
  }
  const leaked = tf.memory().numTensors - tensorsBefore;
  tensor.dispose();

  const entry = { frame: file, size: `${pixels.width}x${pixels.height}`, encodedBytes: bytes.length };
  for (const [name, t] of Object.entries(timings)) {
    entry[name] = { ...stats(t.ms), cpuPerWall: round(t.cpu / RUNS), faces: t.faces };
  }
  entry.human.tensorsLeakedPerRun = leaked / RUNS;
  entry.humanDecodeMs = stats(decodeMs); // pngjs/jpeg-js + tensor creation, outside Human's timing
  frames.push(entry);
}

const report = {
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model, cores: cpus().length, loadavg: loadavg().map(round), node: process.version },
  runs: RUNS,
  warmup: WARMUP,
  human: { ...h.info, loadMs: Math.round(h.loadMs), config: humanConfig },
  ours: { loadMs: Math.round(ours.loadMs), intraThreads: 1, options: 'defaults' },
  oursSinglePass: { options: { minFaceSize: 0 } },
  handicap:
    "human times detect() on an already-decoded float32 tensor and ours analyze() on the same pixels as packed RGB (neither decodes); oursBytes is analyze() on the encoded file, decoding included (humanDecodeMs is what decoding costs Human's user in JS)",
  frames,
};
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);

const top = (faces) =>
  faces.map((f) => Object.entries(f.emotions).sort((a, b) => b[1] - a[1])[0]?.[0] ?? '?').join(', ') || 'none';
const cell = (c) => `${c.median} / ${c.p90} (${c.faces.length}: ${top(c.faces)})`;
process.stderr.write(
  [
    `\nmedian / p90 ms over ${RUNS} runs after ${WARMUP} warm-up, one thread each (faces: top emotion); load avg ${report.machine.loadavg[0]}`,
    `Human load ${report.human.loadMs} ms, ours ${report.ours.loadMs} ms`,
    '',
    "| frame | Human detect (decoded pixels in) | Human user's JS decode | ours analyze (decoded pixels in) | ours, minFaceSize 0 | ours analyze (file in, incl. decode) |",
    '|---|---|---|---|---|---|',
    ...frames.map(
      (f) =>
        `| ${f.frame} (${f.size}) | ${cell(f.human)} | ${f.humanDecodeMs.median} | ${cell(f.ours)} | ${cell(f.oursSinglePass)} | ${cell(f.oursBytes)} |`,
    ),
    '',
  ].join('\n'),
);
