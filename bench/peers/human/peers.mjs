// Shared by bench.mjs and accuracy.mjs: Human on tfjs's WASM backend, our engine, and a
// pure-JS decoder, all set up the same way for both scripts.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

const require = createRequire(import.meta.url);
const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(HERE, '../../..');
export const FRAMES = join(REPO, 'bench/.frames');

// Human's "exports" map has no "./"-prefixed keys, so Node only resolves the package root
// (human.node.js, which needs tfjs-node). The WASM build sits beside it in dist/.
const HUMAN_DIST = dirname(require.resolve('@vladmandic/human'));
const WASM_DIST = `${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`;

export const humanConfig = {
  backend: 'wasm',
  wasmPath: WASM_DIST, // plain folder path: Emscripten reads it with fs in Node
  modelBasePath: `${pathToFileURL(join(HUMAN_DIST, '../models')).href}/`,
  debug: false,
  warmup: 'none', // the benchmark does its own warm-up runs
  cacheSensitivity: 0, // frames are unrelated images: never reuse a previous frame's result
  filter: { enabled: false }, // filters are canvas/WebGL-only; tensor input skips them anyway
  gesture: { enabled: false },
  body: { enabled: false },
  hand: { enabled: false },
  object: { enabled: false },
  segmentation: { enabled: false },
  face: {
    enabled: true,
    // rotation stays at its default (false); maxDetected 1 by default would hide the 2nd face
    detector: { maxDetected: 10, skipFrames: 0, skipTime: 0 },
    mesh: { enabled: true },
    iris: { enabled: false },
    attention: { enabled: false },
    description: { enabled: false }, // faceres: age, gender, embedding (gear is off unless set)
    antispoof: { enabled: false },
    liveness: { enabled: false },
    // minConfidence 0: keep all seven scores (Human drops those at or under it)
    emotion: { enabled: true, minConfidence: 0, skipFrames: 0, skipTime: 0 },
  },
};

// tfjs-core only knows http(s):// and browser stores; tfjs-node is what normally adds file://.
// Without it Human's fetch of file:// fails in Node, so serve file:// model URLs from disk.
function fileRouter(tf) {
  return (url) => {
    if (typeof url !== 'string' || !url.startsWith('file://')) return null;
    const path = fileURLToPath(url);
    return {
      load: () =>
        tf.io.getModelArtifactsForJSON(JSON.parse(readFileSync(path, 'utf8')), async (manifest) => {
          const buffers = manifest.flatMap((group) =>
            group.paths.map((p) => {
              const b = readFileSync(join(dirname(path), p));
              return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
            }),
          );
          return [tf.io.getWeightSpecs(manifest), tf.io.concatenateArrayBuffers(buffers)];
        }),
    };
  };
}

/** Human with every model it needs loaded; `loadMs` covers backend init and model loading. */
export async function loadHuman() {
  const { Human } = require(join(HUMAN_DIST, 'human.node-wasm.js'));
  const human = new Human(humanConfig);
  // Human ignores unknown option names silently: fail instead, so a typo can't skew the setup.
  const problems = human.validate(humanConfig);
  if (problems.length) throw new Error(`Human config: ${JSON.stringify(problems)}`);
  human.tf.io.registerLoadRouter(fileRouter(human.tf));
  const started = performance.now();
  await human.load();
  const loadMs = performance.now() - started;
  const tf = human.tf;
  const wasm = tf.backend().wasm;
  return {
    human,
    loadMs,
    info: {
      version: human.version,
      tfjs: tf.version_core,
      backend: tf.getBackend(),
      simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
      multithread: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
      wasmThreads: wasm?.tfjs?.getThreadsCount?.() ?? null,
      models: Object.entries(human.models.models)
        .filter(([, m]) => m)
        .map(([name]) => name),
    },
  };
}

/** Our engine from the workspace build (packages/core must have been built). */
export async function loadEngine(options = {}) {
  const entry = join(REPO, 'packages/core/dist/index.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`pnpm build\` at the repo root`);
  const { createEngine } = await import(pathToFileURL(entry).href);
  const started = performance.now();
  const engine = await createEngine(options); // defaults: one ONNX Runtime thread per call
  return { engine, loadMs: performance.now() - started };
}

/** Encoded PNG or JPEG to packed RGB (both decoders hand back RGBA). */
export function decodeRgb(bytes) {
  const isPng = bytes[0] === 0x89 && bytes[1] === 0x50;
  const { width, height, data } = isPng
    ? PNG.sync.read(bytes)
    : jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    rgb[i] = data[j];
    rgb[i + 1] = data[j + 1];
    rgb[i + 2] = data[j + 2];
  }
  return { width, height, rgb };
}

/** [1, h, w, 3] float32 0..255, the layout Human's own tensor path ends in (no cast per call). */
export function toTensor(tf, { width, height, rgb }) {
  return tf.tensor4d(Float32Array.from(rgb), [1, height, width, 3], 'float32');
}

/** Human's face list as { box [x,y,w,h], scores {label: p} } (labels it dropped count as 0). */
export function humanFaces(result) {
  return result.face.map((f) => ({
    box: f.box.map(Math.round),
    score: f.score,
    emotions: Object.fromEntries(f.emotion.map((e) => [e.emotion, e.score])),
  }));
}

export const largest = (faces, area) => faces.reduce((a, b) => (area(b) > area(a) ? b : a), faces[0]);
