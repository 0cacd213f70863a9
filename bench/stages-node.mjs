// Stage breakdown, Node side: what the server does around the Rust engine for one
// request with the image as a data URL in JSON, per frame, median of many runs
// (process.hrtime.bigint()). The Rust stages are in crates/core/benches/stages.rs.
//
//   node bench/stages-node.mjs      (after `pnpm build` and `bash bench/frames.sh`)
//
// The base64 step calls the real functions from the built packages (base64Payload from
// packages/server, decodeBase64Image from packages/core's input.js, which toBytes calls); the
// whole request goes through the real Hono app with app.request(), i.e. without a socket.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const FRAMES = ['webcam_one_face.png', 'face224.jpg', 'hd_two_faces.png'];
const MIME = { png: 'image/png', jpg: 'image/jpeg' };

async function load(path) {
  const file = join(repo, path);
  if (!existsSync(file)) throw new Error(`${path} is missing: run "pnpm build" at the repository root`);
  return import(pathToFileURL(file).href);
}
const { decodeBase64Image } = await load('packages/core/dist/input.js');
const { createEngine } = await load('packages/core/dist/index.js');
const { analyzeAnswer: serverAnalyzeAnswer, base64Payload, createApp } = await load('packages/server/dist/app.js');

// Keeps results alive so that V8 cannot drop the work.
let sink = 0;
const keep = (value) => {
  sink ^= typeof value === 'string' ? value.length : (value?.length ?? 1);
};

/** Median milliseconds of `fn` after a warm-up: at least 50 runs, then until ~1 s has passed. */
async function measure(fn) {
  for (let i = 0; i < 10; i++) {
    const r = fn();
    keep(r instanceof Promise ? await r : r);
  }
  const times = [];
  const started = process.hrtime.bigint();
  while (times.length < 50 || (times.length < 5000 && process.hrtime.bigint() - started < 1_000_000_000n)) {
    const t0 = process.hrtime.bigint();
    const r = fn();
    // Only asynchronous stages pay for an await: a microtask would swamp the microsecond ones.
    keep(r instanceof Promise ? await r : r);
    times.push(Number(process.hrtime.bigint() - t0));
  }
  times.sort((a, b) => a - b);
  return { ms: times[times.length >> 1] / 1e6, runs: times.length };
}

// The /v1/analyze answer as the route serialises it (c.json: JSON.stringify).
const analyzeAnswer = (faces) => JSON.stringify(serverAnalyzeAnswer(faces, true));

const engine = await createEngine(); // one ORT thread per run, as the server's default
const app = createApp(engine, { webRoot: null });
const rows = [];
const notes = [];
for (const file of FRAMES) {
  const path = join(repo, 'bench/.frames', file);
  if (!existsSync(path)) throw new Error(`${path} is missing: run "bash bench/frames.sh"`);
  const bytes = readFileSync(path);
  const image = `data:${MIME[file.split('.').pop()]};base64,${bytes.toString('base64')}`;
  const bodyBytes = Buffer.from(JSON.stringify({ image }));
  const bodyText = bodyBytes.toString('utf8');
  // As an HTTP client sends it: with its length, so Hono's bodyLimit need not count the stream.
  const post = {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': String(bodyBytes.length) },
    body: bodyBytes,
  };
  const payload = base64Payload(image);
  const HAPPY_OR_SAD = { among: ['happy', 'sad'] };
  const emotion = (await engine.dominantEmotion(bytes, HAPPY_OR_SAD))?.toUpperCase() ?? 'No face detected';
  const faces = await engine.analyze(bytes);
  const frame = file.replace(/\.\w+$/, '');
  const stages = [
    ['JSON.parse(body)', () => JSON.parse(bodyText)],
    // What Hono's c.req.json() calls: the body's stream read, decoded as UTF-8, then parsed.
    ['Request.json() (as c.req.json())', () => new Request('http://localhost/predict', post).json()],
    // What /predict does with the image: base64Payload, then toBytes → decodeBase64Image.
    ['base64 → bytes (base64Payload + decodeBase64Image)', () => decodeBase64Image(base64Payload(image))],
    ['base64 floor: Buffer.from(payload, "base64")', () => Buffer.from(payload, 'base64')],
    ['answer JSON /predict', () => `${JSON.stringify({ emotion })}\n`],
    [
      `answer JSON /v1/analyze?landmarks=1 (${faces.length} face${faces.length === 1 ? '' : 's'})`,
      () => analyzeAnswer(faces),
    ],
    ['engine.dominantEmotion(bytes, happy or sad) via the addon', () => engine.dominantEmotion(bytes, HAPPY_OR_SAD)],
    [
      'whole POST /predict, app.request()',
      async () => {
        const response = await app.request('/predict', post);
        return response.text();
      },
    ],
  ];
  for (const [stage, fn] of stages) {
    const { ms, runs } = await measure(fn);
    rows.push({ frame, stage, ms, runs });
  }
  notes.push(
    `${frame}: ${bytes.length} bytes, data URL ${image.length} chars, ${faces.length} faces, answer ${emotion}`,
  );
}

const format = (ms) => (ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(1)} µs`);
console.log(`node ${process.version}, median of the runs shown\n${notes.join('\n')}\n`);
console.log('| frame | stage | median | runs |\n|---|---|---|---|');
for (const { frame, stage, ms, runs } of rows) console.log(`| ${frame} | ${stage} | ${format(ms)} | ${runs} |`);
if (sink === 0.5) console.log(sink); // never true; reads the sink
