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
// Two measures: (1) CPU time per request in process (app.request(), no socket; process.cpuUsage
// over batches, median of batches), which a busy machine disturbs least; (2) latency over
// loopback HTTP at concurrency 8 (p50 of all requests), the measure, which on a shared
// machine carries the other processes' noise.
//
//   node bench/middleware.mjs            (after `pnpm build`; about a minute)
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const KEY = 'bench-key-0123456789abcdef0123456789';
const CONCURRENCY = 8;
const PER_ROUND = 500;
const ROUNDS = 24;
const CONFIGS = ['minimal', 'defaults', 'all-on'];

async function buildApp(config) {
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
  const pino = (await import(pathToFileURL(join(repo, 'packages/server/node_modules/pino/pino.js')).href)).default;

  const env = config === 'all-on' ? { API_KEYS: KEY, RATE_LIMIT: '1000000/s' } : {};
  const settings = readSettings(env);
  // Log lines are formatted and written for real, to /dev/null, so their cost counts.
  const logger = createLogger('json', 'info', pino.destination({ dest: '/dev/null', sync: true }));
  const app = createApp(await createEngine(), {
    webRoot: null,
    logger,
    logRequests: config !== 'minimal',
    apiKeys: settings.apiKeys,
    rateLimit: settings.rateLimit,
  });
  return { app, listen };
}

async function serve(config) {
  const { app, listen } = await buildApp(config);
  const server = listen({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) =>
    console.log(`PORT ${info.port}`),
  );
  process.on('disconnect', () => server.close());
}

function start(config) {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'serve', config], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
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

/** `count` requests, `CONCURRENCY` at a time on kept-alive connections: each one's latency in ms. */
async function drive(port, count, agent) {
  const body = '{}';
  const headers = { 'Content-Type': 'application/json', 'Content-Length': 2, Authorization: `Bearer ${KEY}` };
  const latencies = [];
  let sent = 0;
  const one = () =>
    new Promise((resolve, reject) => {
      const started = process.hrtime.bigint();
      const req = request({ host: '127.0.0.1', port, path: '/predict', method: 'POST', headers, agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 400) reject(new Error(`status ${res.statusCode}`));
          latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
          resolve();
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  const worker = async () => {
    while (sent < count) {
      sent++;
      await one();
    }
  };
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { latencies, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

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
  return Object.fromEntries(
    CONFIGS.map((c) => [
      c,
      quantile(
        [...samples[c]].sort((a, b) => a - b),
        0.5,
      ),
    ]),
  );
}

async function main() {
  const apps = {};
  for (const config of CONFIGS) apps[config] = (await buildApp(config)).app;
  const cpu = await cpuPerRequest(apps);
  console.log('In process (app.request, no socket): CPU time per request, median of 15 batches of 2000\n');
  console.log('| configuration | CPU µs/request | − minimal | − defaults |');
  console.log('|---|---|---|---|');
  for (const config of CONFIGS) {
    console.log(
      `| ${config} | ${cpu[config].toFixed(1)} | ${(cpu[config] - cpu.minimal).toFixed(1)} | ${(cpu[config] - cpu.defaults).toFixed(1)} |`,
    );
  }
  console.log(
    `\nOver loopback HTTP, concurrency ${CONCURRENCY}, ${ROUNDS} alternating rounds of ${PER_ROUND}; ` +
      'differences: median over rounds of (p50 − the same round’s p50 of the other)\n',
  );
  const servers = {};
  for (const config of CONFIGS) servers[config] = await start(config);
  const agents = Object.fromEntries(CONFIGS.map((c) => [c, new Agent({ keepAlive: true, maxSockets: CONCURRENCY })]));
  const results = Object.fromEntries(CONFIGS.map((c) => [c, { latencies: [], seconds: 0, count: 0, p50s: [] }]));
  for (const config of CONFIGS) await drive(servers[config].port, 1000, agents[config]); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const config of round % 2 ? [...CONFIGS].reverse() : CONFIGS) {
      const { latencies, seconds } = await drive(servers[config].port, PER_ROUND, agents[config]);
      results[config].latencies.push(...latencies);
      results[config].seconds += seconds;
      results[config].count += latencies.length;
      results[config].p50s.push(
        quantile(
          [...latencies].sort((a, b) => a - b),
          0.5,
        ),
      );
    }
  }
  for (const { child } of Object.values(servers)) child.kill();

  // Rounds run back to back, so a round's p50 minus the same round's p50 of another
  // configuration cancels most of what the rest of the machine does; the median is reported.
  const pairedDelta = (config, other) =>
    quantile(
      results[config].p50s.map((p50, round) => p50 - results[other].p50s[round]).sort((a, b) => a - b),
      0.5,
    );
  console.log('| configuration | requests | p50 ms | p90 ms | p99 ms | req/s | p50 − minimal | p50 − defaults |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const config of CONFIGS) {
    const r = results[config];
    const sorted = [...r.latencies].sort((a, b) => a - b);
    console.log(
      `| ${config} | ${r.count} | ${quantile(sorted, 0.5).toFixed(3)} | ${quantile(sorted, 0.9).toFixed(3)} | ` +
        `${quantile(sorted, 0.99).toFixed(3)} | ${(r.count / r.seconds).toFixed(0)} | ` +
        `${pairedDelta(config, 'minimal').toFixed(3)} ms | ${pairedDelta(config, 'defaults').toFixed(3)} ms |`,
    );
  }
}

if (process.argv[2] === 'serve') await serve(process.argv[3]);
else await main();
