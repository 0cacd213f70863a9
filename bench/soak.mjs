/**
 * Soak: does our server's memory stay flat? Starts packages/server (as `pnpm start` does),
 * warms it up with WARMUP requests, records its RSS, sends REQUESTS more /predict requests
 * (concurrency 8, alternating a 224x224 JPEG face and the 640x480 PNG webcam frame, so both
 * decoders and both image sizes churn the allocator), and records RSS every
 * 5 s and at the end. Target: growth from the post-warm-up RSS to the end < 5 %; also reported,
 * the growth between the medians of the first and the last minute, and the first and last five
 * minutes, of samples.
 *
 * With --hostile, every tenth request is one of the hostile-input corpus's cases
 * (packages/server/test/hostile/cases.ts, dumped to JSON by its test) and every answer is checked:
 * each valid request must get the answer it got alone before the soak, each hostile one its
 * expected status, and no request a 5xx. --seconds bounds the run by time instead of count.
 *
 *   node bench/soak.mjs [--requests 100000] [--seconds N] [--warmup 2000] [--hostile FILE]
 *                       [--out bench/.results/soak.json]
 *   (needs: pnpm build, bash bench/frames.sh; for --hostile FILE:
 *    HOSTILE_CORPUS_OUT=FILE pnpm --filter @emotion/server exec vitest run test/hostile.test.ts)
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
    seconds: { type: 'string' },
    warmup: { type: 'string', default: '2000' },
    hostile: { type: 'string' },
    out: { type: 'string', default: join(repo, 'bench/.results/soak.json') },
  },
});
const PORT = 5078;
const base = `http://127.0.0.1:${PORT}`;

function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

function body(file, mime) {
  const bytes = readFileSync(join(repo, 'bench/.frames', file));
  return JSON.stringify({ image: `data:${mime};base64,${bytes.toString('base64')}` });
}
/** Each request: what to send and what must come back (status, and the body when known). */
const valid = [body('face224.jpg', 'image/jpeg'), body('webcam_one_face.png', 'image/png')].map((text) => ({
  path: '/predict',
  contentType: 'application/json',
  body: text,
  status: 200,
}));
const hostile = args.hostile
  ? JSON.parse(readFileSync(args.hostile, 'utf8')).map((c) => ({
      name: c.name,
      path: c.path,
      contentType: c.contentType,
      body: Buffer.from(c.body, 'base64'),
      status: c.status,
    }))
  : [];
const tally = { valid: 0, validWrong: 0, hostile: 0, hostileWrong: 0, serverErrors: 0, wrongExamples: [] };

function pick(i) {
  if (hostile.length > 0 && i % 10 === 9) return { ...hostile[Math.floor(i / 10) % hostile.length], hostile: true };
  return valid[i % valid.length];
}

function check(request, status, text) {
  const kind = request.hostile ? 'hostile' : 'valid';
  tally[kind]++;
  if (status >= 500) tally.serverErrors++;
  const right = status === request.status && (request.expectedBody === undefined || text === request.expectedBody);
  if (!right) {
    tally[`${kind}Wrong`]++;
    if (tally.wrongExamples.length < 10)
      tally.wrongExamples.push({ name: request.name, status, text: text.slice(0, 200) });
  }
}

function run({ amount, duration }) {
  let next = 0;
  return autocannon({
    url: base,
    connections: 8,
    ...(duration ? { duration } : { amount }),
    timeout: 30,
    requests: [
      {
        method: 'POST',
        setupRequest: (request, context) => {
          const chosen = pick(next++);
          context.chosen = chosen;
          const headers = { ...request.headers };
          if (chosen.contentType) headers['content-type'] = chosen.contentType;
          return { ...request, path: chosen.path, headers, body: chosen.body };
        },
        onResponse: (status, text, context) => check(context.chosen, status, text),
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

// The right answer of each valid request is the one it gets alone.
for (const request of valid) {
  const response = await fetch(`${base}${request.path}`, {
    method: 'POST',
    headers: { 'content-type': request.contentType },
    body: request.body,
  });
  request.expectedBody = await response.text();
}

const startedMiB = rssMiB(server.pid);
await run({ amount: Number(args.warmup) });
for (const key of ['valid', 'validWrong', 'hostile', 'hostileWrong', 'serverErrors']) tally[key] = 0;
const afterWarmupMiB = rssMiB(server.pid);
const samples = [];
const t0 = Date.now();
const sampler = setInterval(
  () => samples.push({ s: Math.round((Date.now() - t0) / 1000), rssMiB: rssMiB(server.pid) }),
  5000,
);
const r = await run(args.seconds ? { duration: Number(args.seconds) } : { amount: Number(args.requests) });
clearInterval(sampler);
const endMiB = rssMiB(server.pid);
server.kill('SIGTERM');

function median(window) {
  const sorted = window.map((s) => s.rssMiB).sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

const result = {
  date: new Date().toISOString(),
  requests: r.requests.total,
  answers: tally,
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
  // Samples every 5 s: 60 make five minutes.
  medianFirstFiveMinutesMiB: median(samples.slice(0, 60)),
  medianLastFiveMinutesMiB: median(samples.slice(-60)),
  samples,
};
mkdirSync(dirname(args.out), { recursive: true });
writeFileSync(args.out, `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify({ ...result, samples: `${samples.length} samples` }));
