// What the production middleware costs per request: the same app three ways, each
// in its own process, driven alternately by this one over loopback at concurrency 8:
//
//   minimal   LOG_REQUESTS=0, no keys, no rate limit (what is always on: X-Request-Id,
//             request metrics, secure headers)
//   defaults  the server's defaults: the above plus one JSON log line per request
//   all-on    defaults plus an API key (checked on every request) and a rate limit (never hit)
//
// Each request is POST /predict with `{}`: it passes every middleware (key, bucket, queue
// check, body limit, validation) and is answered 400 "No image provided" without inference,
// so the difference between configurations is the middleware's, not the model's. Rounds
// alternate between the servers so a busy machine disturbs all three alike.
//
// With --before-12 DIR, a fourth: the server as it was before issue 12 (see BEFORE_12 below). A
// second --before-12 adds another such checkout, e.g. one given this server's CORS and body-limit
// middleware (bench/RESULTS.md), so the new middleware's own cost can be read off too.
//
// Three measures: (1) CPU time per request in process (app.request(), no socket; process.cpuUsage
// over batches, median of batches); (2) latency over loopback HTTP at concurrency 8 (p50 of all
// requests, and the median over rounds of each round's p50 difference), the issue's measure;
// (3) each server's own CPU time per request over HTTP, round by round. At concurrency 8 one
// event loop serves the requests in turn, so (2) is about eight times (3).
//
//   node bench/middleware.mjs [--rounds 48] [--before-12 DIR]...   (after `pnpm build`; 1-2 minutes)
import { spawn } from 'node:child_process';
import { existsSync, openSync, writeSync } from 'node:fs';
import { Agent } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { drivePredict, quantile } from './loopback-load.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const KEY = 'bench-key-0123456789abcdef0123456789';
const CONCURRENCY = 8;
const PER_ROUND = 500;
const { values: args } = parseArgs({
  args: process.argv[2] === 'serve' ? [] : process.argv.slice(2),
  options: { rounds: { type: 'string', default: '48' }, 'before-12': { type: 'string', multiple: true } },
});
const ROUNDS = Number(args.rounds);
// --before-12 <checkout of 3fffc87 with packages/server built>: also the server as it was before
// issue 12 (Hono's logger, two console lines per request, and none of the new middleware), the
// baseline for what the new middleware costs. Configurations `before-12`, `before-12/2`, … in
// the order given.
const BEFORE_12 = args['before-12'] ?? [];
const before12Name = (i) => (i === 0 ? 'before-12' : `before-12/${i + 1}`);
const CONFIGS = [...BEFORE_12.map((_, i) => before12Name(i)), 'minimal', 'defaults', 'all-on'];
const BASELINES = CONFIGS.filter((c) => c !== 'all-on');
const before12Dir = (config) => BEFORE_12[CONFIGS.indexOf(config)];

async function buildBefore12(dir) {
  const server = join(dir, 'packages/server');
  const { createApp } = await import(pathToFileURL(join(server, 'dist/app.js')).href);
  const { serve: listen } = await import(
    pathToFileURL(join(server, 'node_modules/@hono/node-server/dist/index.mjs')).href
  );
  const { createEngine } = await import(pathToFileURL(join(repo, 'packages/core/dist/index.js')).href);
  // What its console.log did with stdout on a file: one synchronous write per line.
  const devNull = openSync('/dev/null', 'w');
  const app = createApp(await createEngine(), { webRoot: null, log: (line) => writeSync(devNull, `${line}\n`) });
  return { app, listen };
}

async function buildApp(config, before12 = before12Dir(config)) {
  if (config.startsWith('before-12')) return buildBefore12(before12);
  const load = async (path) => {
    const file = join(repo, path);
    if (!existsSync(file)) throw new Error(`${path} is missing: run "pnpm build" at the repository root`);
    return import(pathToFileURL(file).href);
  };
  const { createApp } = await load('packages/server/dist/app.js');
  const { readSettings } = await load('packages/server/dist/config.js');
  const { createLogger } = await load('packages/server/dist/request-log.js');
  const { serve: listen } = await import(
    pathToFileURL(join(repo, 'packages/server/node_modules/@hono/node-server/dist/index.mjs')).href
  );
  const { createEngine } = await load('packages/core/dist/index.js');

  const env = config === 'all-on' ? { API_KEYS: KEY, RATE_LIMIT: '1000000/s' } : {};
  const settings = readSettings(env);
  // Log lines are formatted and written for real, as the server writes them to stdout, to /dev/null.
  const logger = createLogger('json', 'info', { fd: '/dev/null' });
  const app = createApp(await createEngine(), {
    webRoot: null,
    logger,
    logRequests: config !== 'minimal',
    apiKeys: settings.apiKeys,
    rateLimit: settings.rateLimit,
  });
  return { app, listen };
}

async function serve(config, before12) {
  const { app, listen } = await buildApp(config, before12);
  const server = listen({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) =>
    console.log(`PORT ${info.port}`),
  );
  process.on('disconnect', () => server.close());
  // The server's own CPU time, asked for before and after each round: CPU per request over HTTP.
  process.on('message', () => {
    const { user, system } = process.cpuUsage();
    process.send?.(user + system);
  });
}

function start(config) {
  const child = spawn(
    process.execPath,
    [fileURLToPath(import.meta.url), 'serve', config, ...(config.startsWith('before-12') ? [before12Dir(config)] : [])],
    {
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const port = /PORT (\d+)/.exec(out)?.[1];
      if (port) resolve({ child, port: Number(port) });
    });
    child.once('exit', (code) => reject(new Error(`${config} server exited ${code}`)));
  });
}

/** The server process's CPU time so far, in µs. */
function serverCpu(child) {
  return new Promise((resolve) => {
    child.once('message', resolve);
    child.send('cpu');
  });
}

const median = (values) => quantile(values, 0.5);
/** POST /predict with the key, `CONCURRENCY` at a time on kept-alive connections. */
const drive = (port, count, agent) =>
  drivePredict({ port, count, agent, concurrency: CONCURRENCY, headers: { Authorization: `Bearer ${KEY}` } });

/** CPU µs per request through app.request(), median of `batches` batches of `size`. */
async function cpuPerRequest(apps, batches = 15, size = 2000) {
  const init = () => ({
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${KEY}` },
    body: '{}',
  });
  const samples = Object.fromEntries(CONFIGS.map((c) => [c, []]));
  for (let batch = -2; batch < batches; batch++) {
    for (const config of batch % 2 ? [...CONFIGS].reverse() : CONFIGS) {
      const before = process.cpuUsage();
      for (let i = 0; i < size; i++) {
        const response = await apps[config].request('/predict', init());
        if (response.status !== 400) throw new Error(`status ${response.status}`);
        await response.arrayBuffer();
      }
      const used = process.cpuUsage(before);
      if (batch >= 0) samples[config].push((used.user + used.system) / size);
    }
  }
  return Object.fromEntries(CONFIGS.map((c) => [c, median(samples[c])]));
}

async function main() {
  const apps = {};
  for (const config of CONFIGS) apps[config] = (await buildApp(config)).app;
  const cpu = await cpuPerRequest(apps);
  console.log('In process (app.request, no socket): CPU time per request, median of 15 batches of 2000\n');
  console.log(`| configuration | CPU µs/request | ${BASELINES.map((b) => `− ${b}`).join(' | ')} |`);
  console.log(`|${'---|'.repeat(2 + BASELINES.length)}`);
  for (const config of CONFIGS) {
    const deltas = BASELINES.map((b) => (cpu[config] - cpu[b]).toFixed(1));
    console.log(`| ${config} | ${cpu[config].toFixed(1)} | ${deltas.join(' | ')} |`);
  }
  console.log(
    `\nOver loopback HTTP, concurrency ${CONCURRENCY}, ${ROUNDS} alternating rounds of ${PER_ROUND}; ` +
      'differences: median over rounds of (p50 − the same round’s p50 of the other)\n',
  );
  const servers = {};
  for (const config of CONFIGS) servers[config] = await start(config);
  const agents = Object.fromEntries(CONFIGS.map((c) => [c, new Agent({ keepAlive: true, maxSockets: CONCURRENCY })]));
  const results = Object.fromEntries(
    CONFIGS.map((c) => [c, { latencies: [], seconds: 0, count: 0, p50s: [], cpuPerRequest: [] }]),
  );
  for (const config of CONFIGS) await drive(servers[config].port, 1000, agents[config]); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const config of round % 2 ? [...CONFIGS].reverse() : CONFIGS) {
      const cpuBefore = await serverCpu(servers[config].child);
      const { latencies, seconds } = await drive(servers[config].port, PER_ROUND, agents[config]);
      results[config].cpuPerRequest.push(((await serverCpu(servers[config].child)) - cpuBefore) / PER_ROUND);
      results[config].latencies.push(...latencies);
      results[config].seconds += seconds;
      results[config].count += latencies.length;
      results[config].p50s.push(median(latencies));
    }
  }
  for (const { child } of Object.values(servers)) child.kill();

  // Rounds run back to back, so a round's p50 minus the same round's p50 of another
  // configuration cancels most of what the rest of the machine does; the median is reported.
  const pairedDelta = (config, other) =>
    median(results[config].p50s.map((p50, round) => p50 - results[other].p50s[round]));
  const serverCpuPerRequest = (config) => median(results[config].cpuPerRequest);
  const cpuDelta = (config, other) =>
    median(results[config].cpuPerRequest.map((used, round) => used - results[other].cpuPerRequest[round]));
  console.log(
    `| configuration | requests | p50 ms | p90 ms | p99 ms | req/s | ${BASELINES.map((b) => `p50 − ${b}`).join(' | ')} | ` +
      `server CPU µs/request | ${BASELINES.map((b) => `− ${b}`).join(' | ')} |`,
  );
  console.log(`|${'---|'.repeat(7 + 2 * BASELINES.length)}`);
  for (const config of CONFIGS) {
    const r = results[config];
    const [p50, p90, p99] = [0.5, 0.9, 0.99].map((q) => quantile(r.latencies, q).toFixed(3));
    console.log(
      `| ${config} | ${r.count} | ${p50} | ${p90} | ` +
        `${p99} | ${(r.count / r.seconds).toFixed(0)} | ` +
        `${BASELINES.map((b) => `${pairedDelta(config, b).toFixed(3)} ms`).join(' | ')} | ` +
        `${serverCpuPerRequest(config).toFixed(1)} | ${BASELINES.map((b) => cpuDelta(config, b).toFixed(1)).join(' | ')} |`,
    );
  }
}

if (process.argv[2] === 'serve') await serve(process.argv[3], process.argv[4]);
else await main();
