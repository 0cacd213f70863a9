// Fleet-scale batches (issue 27): `emotion analyze --server` on N faces-224 images (default
// 2,000, every k-th of the sorted set) through two server processes behind Debian's HAProxy
// (deploy/haproxy.cfg, as the rolling-restart test uses it), one replica restarted (SIGTERM,
// drain, exit, a new one) a third of the way in; against the same images analysed locally by
// the CLI. Reports images/s of each run, images lost or failed, whether every result equals the
// local one, and HAProxy's retries. All on this machine: the servers share its CPUs with the CLI.
//
//   flock /tmp/bench.lock node bench/fleet-batch.mjs [--images 2000] [--concurrency 8]   (after `pnpm build`)
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { freePort } from './loopback-load.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const START = join(repo, 'packages/server/dist/start.cjs');
const CLI = join(repo, 'packages/cli/dist/bin.cjs');
const faces = join(process.env.EMOTION_SHARED_DIR || resolve(repo, '../shared'), 'datasets/faces-224');
const { values: args } = parseArgs({
  options: { images: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '8' } },
});
const COUNT = Number(args.images);

const all = readdirSync(faces, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((entry) => readdirSync(join(faces, entry.name)).map((name) => join(faces, entry.name, name)))
  .sort();
const step = Math.max(1, Math.floor(all.length / COUNT));
const files = all.filter((_, index) => index % step === 0).slice(0, COUNT);
// Given as one folder of links (not copies), as users with that many images do.
const folder = mkdtempSync(join(tmpdir(), 'emotion-fleet-bench-'));
for (const [index, file] of files.entries()) {
  symlinkSync(file, join(folder, `${String(index).padStart(5, '0')}-${basename(file)}`));
}

async function startServer(port) {
  const child = spawn(process.execPath, [START], {
    env: { ...process.env, PORT: String(port), LOG_REQUESTS: '0', SHUTDOWN_DELAY_MS: '750' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((done) => child.once('exit', (code) => done(code)));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server on port ${port} exited (${child.exitCode})`);
    if ((await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => null))?.ok) return { child, exited };
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs the CLI with --ndjson; `onLine(count)` as lines arrive. */
function runCli(extra, onLine = () => {}) {
  return new Promise((done) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CLI, 'analyze', '--ndjson', ...extra, folder], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let lines = 0;
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      out += chunk;
      lines += chunk.split('\n').length - 1;
      onLine(lines);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk) => (err += chunk));
    child.on('close', (code) =>
      done({ code, seconds: (performance.now() - started) / 1000, stderr: err, lines: out.trim().split('\n') }),
    );
  });
}

const byFile = (lines) => new Map(lines.map((line) => [JSON.parse(line).file, line]));

console.log(
  `${cpus()[0]?.model}, ${availableParallelism()} CPUs, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; ${new Date().toISOString()}`,
);
const local = await runCli([]);
console.log(
  `local: ${files.length} images in ${local.seconds.toFixed(1)} s, ${(files.length / local.seconds).toFixed(1)} images/s (exit ${local.code})`,
);

const [lb, stats, a, b] = [await freePort(), await freePort(), await freePort(), await freePort()];
const replicas = [await startServer(a), await startServer(b)];
const haproxy = spawn('haproxy', ['-f', join(repo, 'deploy/haproxy.cfg'), '-db'], {
  env: {
    ...process.env,
    LB_PORT: String(lb),
    STATS_PORT: String(stats),
    PORT_A: String(a),
    PORT_B: String(b),
    HEALTH_PATH: '/health/ready',
  },
  stdio: 'ignore',
});
try {
  while (!(await fetch(`http://127.0.0.1:${lb}/health/ready`).catch(() => null))?.ok)
    await new Promise((r) => setTimeout(r, 100));
  let restart;
  const remote = await runCli(['--server', `http://127.0.0.1:${lb}`, '--concurrency', args.concurrency], (lines) => {
    if (restart || lines < files.length / 3) return;
    restart = (async () => {
      const began = performance.now();
      replicas[0].child.kill('SIGTERM');
      const code = await replicas[0].exited;
      replicas[0] = await startServer(a);
      return { code, seconds: (performance.now() - began) / 1000 };
    })();
  });
  const restarted = await restart;
  const expected = byFile(local.lines);
  const got = byFile(remote.lines);
  const failed = remote.lines.filter((line) => 'error' in JSON.parse(line)).length;
  const differing = [...expected].filter(([file, line]) => got.get(file) !== line).length;
  const csv = (await (await fetch(`http://127.0.0.1:${stats}/stats;csv`)).text())
    .split('\n')
    .map((row) => row.split(','));
  const backend = csv.find((row) => row[0] === 'replicas' && row[1] === 'BACKEND');
  const served = csv
    .filter((row) => row[0] === 'replicas' && ['a', 'b'].includes(row[1]))
    .map((row) => `${row[1]} ${row[40]}`);
  console.log(
    `fleet (2 servers behind HAProxy, --concurrency ${args.concurrency}): ${files.length} images in ${remote.seconds.toFixed(1)} s, ` +
      `${(files.length / remote.seconds).toFixed(1)} images/s (exit ${remote.code}); answered ${got.size}, lost ${files.length - got.size}, ` +
      `failed ${failed}, different from local ${differing}; replica a restarted (exit ${restarted?.code}) and ready again in ` +
      `${restarted?.seconds.toFixed(1)} s; 2xx per replica: ${served.join(', ')}; HAProxy retries ${backend?.[15]}, redispatches ${backend?.[16]}`,
  );
} finally {
  haproxy.kill('SIGTERM');
  for (const replica of replicas) replica.child.kill('SIGKILL');
  rmSync(folder, { recursive: true, force: true });
}
console.log(
  `load after: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
