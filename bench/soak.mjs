/**
 * Soak: does our server's memory stay flat? Starts packages/server (as `pnpm start` does),
 * warms it up with WARMUP requests, records its RSS, sends REQUESTS more /predict requests
 * (concurrency 8, alternating a 224x224 JPEG face and the 640x480 PNG webcam frame, so both
 * decoders and both image sizes churn the allocator), and records RSS every
 * 5 s and at the end. Target: growth from the post-warm-up RSS to the end < 5 %; also reported,
 * the growth between the medians of the first and the last minute of samples.
 *
 *   node bench/soak.mjs [--requests 100000] [--warmup 2000] [--out bench/.results/soak.json]
 *   (needs: pnpm build, bash bench/frames.sh)
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import autocannon from 'autocannon';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '100000' },
    warmup: { type: 'string', default: '2000' },
    out: { type: 'string', default: join(repo, 'bench/.results/soak.json') },
  },
});
const PORT = 5078;
const url = `http://127.0.0.1:${PORT}/predict`;

function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

function body(file, mime) {
  const bytes = readFileSync(join(repo, 'bench/.frames', file));
  return JSON.stringify({ image: `data:${mime};base64,${bytes.toString('base64')}` });
}
const bodies = [body('face224.jpg', 'image/jpeg'), body('webcam_one_face.png', 'image/png')];

function run(amount) {
  let next = 0;
  return autocannon({
    url,
    connections: 8,
    amount,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }),
      },
    ],
  });
}

const server = spawn(process.execPath, [join(repo, 'packages/server/dist/start.cjs')], {
  env: { ...process.env, LOG_REQUESTS: '0', HOST: '127.0.0.1', PORT: String(PORT), MAX_QUEUE: '64' },
  stdio: ['ignore', 'ignore', 'inherit'],
});
for (;;) {
  try {
    if ((await fetch(`http://127.0.0.1:${PORT}/health`)).status === 200) break;
  } catch {
    // not listening yet
  }
  await new Promise((r) => setTimeout(r, 200));
}

const startedMiB = rssMiB(server.pid);
await run(Number(args.warmup));
const afterWarmupMiB = rssMiB(server.pid);
const samples = [];
const t0 = Date.now();
const sampler = setInterval(
  () => samples.push({ s: Math.round((Date.now() - t0) / 1000), rssMiB: rssMiB(server.pid) }),
  5000,
);
const r = await run(Number(args.requests));
clearInterval(sampler);
const endMiB = rssMiB(server.pid);
server.kill('SIGTERM');

function median(window) {
  const sorted = window.map((s) => s.rssMiB).sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

const result = {
  date: new Date().toISOString(),
  requests: Number(args.requests),
  ok: r['2xx'],
  notOk: r.non2xx,
  errors: r.errors,
  seconds: (Date.now() - t0) / 1000,
  requestsPerSecond: r.requests.average,
  rssMiB: {
    started: startedMiB,
    afterWarmup: afterWarmupMiB,
    end: endMiB,
    peak: Math.max(afterWarmupMiB, endMiB, ...samples.map((s) => s.rssMiB)),
  },
  growthPercent: ((endMiB - afterWarmupMiB) / afterWarmupMiB) * 100,
  // RSS swings by ±10 % with GC and the allocator, so two single readings can mislead: compare
  // the medians of the first and the last minute of samples too (a leak moves them apart).
  medianGrowthPercent:
    ((median(samples.slice(-12)) - median(samples.slice(0, 12))) / median(samples.slice(0, 12))) * 100,
  samples,
};
mkdirSync(dirname(args.out), { recursive: true });
writeFileSync(args.out, `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify({ ...result, samples: `${samples.length} samples` }));
