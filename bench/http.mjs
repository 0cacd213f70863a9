/**
 * End-to-end HTTP benchmark on loopback: POST /predict, seed contract, for us and for the seed
 * service run two ways (bench/peers/seed). Each (server, image, concurrency) run gets a freshly
 * started server (the seed as shipped leaks ~19 MB per request; a fresh start keeps runs
 * comparable), a warm-up, then wrk (Debian's; bench/post.lua) for DURATION seconds. wrk, not
 * autocannon: both seed servers close the connection after every answer (Werkzeug and gunicorn's
 * sync workers speak HTTP/1.0-style), and autocannon then stalls after one request per connection;
 * wrk reconnects, and in C it takes less of the two cores from the servers. Peak RSS is the
 * server's whole process tree (gunicorn's master and workers), sampled every 100 ms.
 *
 *   node bench/http.mjs [--duration 20] [--out bench/.results/http.json] [--only ours,at best] [--image webcam]
 *   (--only: servers whose name contains one of the comma-separated words; --image: images whose name does)
 *   (needs: wrk, pnpm build, bash bench/frames.sh, bash bench/peers/seed/setup.sh)
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    out: { type: 'string', default: join(repo, 'bench/.results/http.json') },
    only: { type: 'string' },
    image: { type: 'string' },
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
  const probe = JSON.stringify({
    image: `data:image/jpeg;base64,${readFileSync(join(repo, 'bench/.frames/face224.jpg')).toString('base64')}`,
  });
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

/** wrk with `connections` connections on one thread for `seconds`; its summary as parsed JSON. */
async function load(bodyFile, connections, seconds) {
  const { stdout } = await promisify(execFile)(
    'wrk',
    [
      '-t1',
      `-c${connections}`,
      `-d${seconds}s`,
      '--timeout',
      '30s',
      '-s',
      join(repo, 'bench/post.lua'),
      `http://127.0.0.1:${PORT}/predict`,
    ],
    { env: { ...process.env, BODY_FILE: bodyFile } },
  );
  const line = stdout.trim().split('\n').at(-1);
  return JSON.parse(line);
}

const scratch = mkdtempSync(join(tmpdir(), 'emotion-http-'));
const results = [];
// Servers innermost: the runs compared with each other follow one another, so a change in the machine's
// load between them is as small as it can be.
for (const [imageName, image] of Object.entries(images)) {
  if (args.image && !imageName.includes(args.image)) continue;
  const bytes = readFileSync(join(repo, 'bench/.frames', image.file));
  const body = JSON.stringify({ image: `data:${image.mime};base64,${bytes.toString('base64')}` });
  const bodyFile = join(scratch, `${image.file}.json`);
  writeFileSync(bodyFile, body);
  for (const connections of concurrencies) {
    for (const [serverName] of Object.entries(servers)) {
      if (args.only && !args.only.split(',').some((word) => serverName.includes(word))) continue;
      const { child, startSeconds } = await startServer(serverName);
      const answer = await post(body);
      let peak = treeRssBytes(child.pid);
      const sampler = setInterval(() => (peak = Math.max(peak, treeRssBytes(child.pid))), 100);
      await load(bodyFile, connections, Number(args.warmup));
      const r = await load(bodyFile, connections, duration);
      clearInterval(sampler);
      await stopServer(child);
      const ms = (us) => Math.round(us / 100) / 10;
      const row = {
        server: serverName,
        image: imageName,
        connections,
        answer: answer.text.trim(),
        requestsPerSecond: Math.round((r.requests / r.seconds) * 10) / 10,
        latencyMs: { p50: ms(r.p50), p90: ms(r.p90), p99: ms(r.p99), max: ms(r.max) },
        requests: r.requests,
        // wrk counts non-2xx/3xx answers as `status` errors.
        failed: r.status + r.connect + r.read + r.write + r.timeout,
        peakRssMiB: Math.round(peak / 2 ** 20),
        startSeconds,
      };
      results.push(row);
      console.log(JSON.stringify(row));
    }
  }
}
rmSync(scratch, { recursive: true, force: true });

mkdirSync(dirname(args.out), { recursive: true });
writeFileSync(
  args.out,
  `${JSON.stringify({ date: new Date().toISOString(), cpus: availableParallelism(), durationSeconds: duration, results }, null, 2)}\n`,
);
console.log(`wrote ${args.out}`);
