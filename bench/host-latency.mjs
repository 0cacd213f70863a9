/**
 * Is the engine a good guest in someone else's Node app? The host app's own I/O latency (one
 * `fs.promises.readFile` of a small file) while 200 `analyze` calls are queued, against the same
 * read on an idle process. Each round queues 200 calls of a 224x224 JPEG face, waits 20 ms so the
 * engine is busy, then times one read; ROUNDS rounds, median and worst reported. An engine that
 * runs its models on libuv's thread pool makes the read wait behind the queued models; one with
 * threads of its own does not.
 *
 *   node bench/host-latency.mjs [--core packages/core/dist/index.js] [--rounds 5] [--calls 200]
 *   (--core: the @emotion/core build to measure, e.g. an older checkout's; needs the shared faces)
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    core: { type: 'string', default: join(repo, 'packages/core/dist/index.js') },
    rounds: { type: 'string', default: '5' },
    calls: { type: 'string', default: '200' },
  },
});
const { createEngine } = await import(pathToFileURL(resolve(args.core)).href);
const face = await readFile(join(repo, '../shared/datasets/faces-224/happy/img_161012313.jpg'));
const hostFile = join(repo, 'package.json');

async function timedRead() {
  const started = performance.now();
  await readFile(hostFile);
  return performance.now() - started;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const round = (ms) => Math.round(ms * 100) / 100;

const engine = await createEngine();
await engine.analyze(face); // warm-up: first runs allocate

const idle = [];
for (let i = 0; i < 20; i++) idle.push(await timedRead());

const busy = [];
let callMs = 0;
for (let r = 0; r < Number(args.rounds); r++) {
  const started = performance.now();
  const calls = Array.from({ length: Number(args.calls) }, () => engine.analyze(face));
  await new Promise((done) => setTimeout(done, 20));
  busy.push(await timedRead());
  await Promise.all(calls);
  callMs += performance.now() - started;
}
await engine.close?.();

console.log(
  JSON.stringify({
    date: new Date().toISOString(),
    core: args.core,
    cpus: availableParallelism(),
    engineThreads: engine.threads ?? 'on libuv (4)',
    queuedCalls: Number(args.calls),
    readIdleMs: { median: round(median(idle)), max: round(Math.max(...idle)) },
    readWhileBusyMs: { median: round(median(busy)), max: round(Math.max(...busy)), all: busy.map(round) },
    analysesPerSecond: round((Number(args.calls) * Number(args.rounds) * 1000) / callMs),
  }),
);
