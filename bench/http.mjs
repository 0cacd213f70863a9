/**
 * End-to-end HTTP benchmark on loopback: POST /predict, seed contract, for us and for the seed
 * service run two ways (bench/peers/seed). Each (server, image, concurrency) run gets a freshly
 * started server (the seed as shipped leaks ~19 MB per request; a fresh start keeps runs
 * comparable), a warm-up, then autocannon for DURATION seconds. Peak RSS is the server's whole
 * process tree (gunicorn's master and workers), sampled every 100 ms.
 *
 *   node bench/http.mjs [--duration 20] [--out bench/.results/http.json]
 *   (needs: pnpm build, bash bench/frames.sh, bash bench/peers/seed/setup.sh)
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import autocannon from 'autocannon';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    out: { type: 'string', default: join(repo, 'bench/.results/http.json') },
    only: { type: 'string' },
  },
});
const duration = Number(args.duration);
const PORT = 5077;

const images = {
  'webcam 640x480 PNG': { file: 'webcam_one_face.png', mime: 'image/png' },
  'face 224x224 JPEG': { file: 'face224.jpg', mime: 'image/jpeg' },
};
const servers = {
  ours: {
    command: [process.execPath, [join(repo, 'packages/server/dist/start.cjs')]],
    // The default queue (4x threads) would answer 503 to none of these runs (at most 8 in flight),
    // but keep it explicit so a changed default cannot turn a benchmark into a refusal test.
    env: { LOG_REQUESTS: '0', MAX_QUEUE: '64' },
  },
  'seed as shipped': { command: ['bash', [join(repo, 'bench/peers/seed/run.sh'), 'as_shipped']], env: {} },
  'seed at best': { command: ['bash', [join(repo, 'bench/peers/seed/run.sh'), 'best']], env: {} },
};
const concurrencies = [1, 8];

function treeRssBytes(pid) {
  let total = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop();
    try {
      const status = readFileSync(`/proc/${p}/status`, 'utf8');
      total += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
      for (const task of readdirSync(`/proc/${p}/task`)) {
        const children = readFileSync(`/proc/${p}/task/${task}/children`, 'utf8').trim();
        if (children) stack.push(...children.split(/\s+/).map(Number));
      }
    } catch {
      // the process ended between listing and reading
    }
  }
  return total;
}

async function post(body) {
  const response = await fetch(`http://127.0.0.1:${PORT}/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return { status: response.status, text: await response.text() };
}

async function startServer(name) {
  const { command, env } = servers[name];
  const child = spawn(command[0], command[1], {
    env: { ...process.env, ...env, HOST: '127.0.0.1', PORT: String(PORT) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const started = Date.now();
  // Ready = a real prediction answers (our /health would do, the seed has none).
  const probe = JSON.stringify({ image: `data:image/jpeg;base64,${readFileSync(join(repo, 'bench/.frames/face224.jpg')).toString('base64')}` });
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited: ${stderr}`);
    if (Date.now() - started > 120_000) throw new Error(`${name} did not start: ${stderr}`);
    try {
      if ((await post(probe)).status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, startSeconds: (Date.now() - started) / 1000 };
}

async function stopServer(child) {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function cannon(body, connections, seconds) {
  return autocannon({
    url: `http://127.0.0.1:${PORT}/predict`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections,
    duration: seconds,
    timeout: 30,
  });
}

const results = [];
for (const [serverName] of Object.entries(servers)) {
  if (args.only && !serverName.includes(args.only)) continue;
  for (const [imageName, image] of Object.entries(images)) {
    const bytes = readFileSync(join(repo, 'bench/.frames', image.file));
    const body = JSON.stringify({ image: `data:${image.mime};base64,${bytes.toString('base64')}` });
    for (const connections of concurrencies) {
      const { child, startSeconds } = await startServer(serverName);
      const answer = await post(body);
      let peak = treeRssBytes(child.pid);
      const sampler = setInterval(() => (peak = Math.max(peak, treeRssBytes(child.pid))), 100);
      await cannon(body, connections, Number(args.warmup));
      const r = await cannon(body, connections, duration);
      clearInterval(sampler);
      await stopServer(child);
      const row = {
        server: serverName,
        image: imageName,
        connections,
        answer: answer.text.trim(),
        requestsPerSecond: r.requests.average,
        latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
        ok: r['2xx'],
        notOk: r.non2xx,
        errors: r.errors,
        timeouts: r.timeouts,
        peakRssMiB: Math.round(peak / 2 ** 20),
        startSeconds,
      };
      results.push(row);
      console.log(JSON.stringify(row));
    }
  }
}

mkdirSync(dirname(args.out), { recursive: true });
writeFileSync(
  args.out,
  `${JSON.stringify({ date: new Date().toISOString(), cpus: availableParallelism(), durationSeconds: duration, results }, null, 2)}\n`,
);
console.log(`wrote ${args.out}`);
