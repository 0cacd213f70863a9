// What a shared rate-limit store costs per request (issue 26): two servers as `pnpm start` runs
// them (packages/server/dist/start.cjs), the same settings but where their buckets live:
//
//   memory   RATE_LIMIT=1000000/s (never hit), buckets in the process (the default)
//   redis    the same, RATE_LIMIT_STORE=redis://127.0.0.1:<port>: one EVALSHA per request to a
//            local redis-server started here (Debian's; no persistence)
//
// Each request is POST /predict with `{}`: it takes a token and is answered 400 "No image
// provided" without inference, so the difference is the store's. Concurrency 8 on kept-alive
// connections over loopback; rounds alternate between the servers so a busy machine disturbs
// both alike. Reports p50/p90/p99 of all requests and the median over rounds of the p50
// difference, plus Redis's own round trip for one take (the script alone, from this process).
//
//   flock /tmp/bench.lock node bench/rate-limit-store.mjs [--rounds 20]   (after `pnpm build`)
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { drivePredict, freePort, quantile } from './loopback-load.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const START = join(repo, 'packages/server/dist/start.cjs');
const CONCURRENCY = 8;
const PER_ROUND = 1000;
const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '20' } } });
const ROUNDS = Number(args.rounds);

async function startRedis() {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  await new Promise((r) => setTimeout(r, 300));
  return { child, url: `redis://127.0.0.1:${port}` };
}

function startServer(env) {
  if (!existsSync(START)) throw new Error(`${START} is missing: run "pnpm build" first`);
  const child = spawn(process.execPath, [START], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_REQUESTS: '0', RATE_LIMIT: '1000000/s', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const port = /listening on http:\/\/[^:]+:(\d+)/.exec(out)?.[1];
      if (port && /engine loaded/.test(out)) resolve({ child, port: Number(port) });
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
}

/** A process's CPU time so far in ms (utime + stime from /proc, at the kernel's 100 Hz). */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** One take's round trip to Redis from this process: the script alone, no HTTP. */
async function redisRoundTrip(url) {
  const { redisBuckets } = await import(pathToFileURL(join(repo, 'packages/server/dist/redis-buckets.js')).href);
  const store = redisBuckets(
    { perSecond: 1e6, burst: 1e6 },
    { url, password: undefined, timeoutMs: 1000, onFailure: 'closed' },
  );
  await store.connected();
  const times = [];
  for (let i = 0; i < 5000; i++) {
    const t0 = process.hrtime.bigint();
    await store.take('ip:127.0.0.1', Date.now());
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  await store.close();
  return times;
}

async function main() {
  const redis = await startRedis();
  const servers = {};
  try {
    servers.memory = await startServer({});
    servers.redis = await startServer({ RATE_LIMIT_STORE: redis.url });
    const agents = Object.fromEntries(
      Object.keys(servers).map((name) => [name, new Agent({ keepAlive: true, maxSockets: CONCURRENCY })]),
    );
    const all = { memory: [], redis: [] };
    // The server's own CPU per request, summed over the rounds: steadier than latency on a busy machine.
    const cpu = { memory: 0, redis: 0 };
    const redisCpuBefore = cpuMs(redis.child.pid);
    const differences = [];
    for (let round = -2; round < ROUNDS; round++) {
      const order = round % 2 ? ['redis', 'memory'] : ['memory', 'redis'];
      const p50 = {};
      for (const name of order) {
        const cpuBefore = cpuMs(servers[name].child.pid);
        const { latencies } = await drivePredict({
          port: servers[name].port,
          count: PER_ROUND,
          agent: agents[name],
          concurrency: CONCURRENCY,
        });
        p50[name] = quantile(latencies, 0.5);
        if (round >= 0) {
          all[name].push(...latencies);
          cpu[name] += cpuMs(servers[name].child.pid) - cpuBefore;
        }
      }
      if (round >= 0) differences.push(p50.redis - p50.memory);
    }
    // The redis server really took from Redis: no take fell back to its own buckets.
    const metrics = await (await fetch(`http://127.0.0.1:${servers.redis.port}/metrics`)).text();
    if (
      !/^emotion_rate_limit_store_up 1$/m.test(metrics) ||
      /^emotion_rate_limit_store_failures_total/m.test(metrics)
    ) {
      throw new Error(
        `the redis server's takes did not all go to Redis:\n${metrics.match(/^emotion_rate_limit_store.*$/gm)}`,
      );
    }
    const redisCpu = cpuMs(redis.child.pid) - redisCpuBefore;
    const trip = await redisRoundTrip(redis.url);
    const ms = (value) => value.toFixed(3);
    console.log(
      `${new Date().toISOString()}, ${cpus().length} × ${cpus()[0]?.model}, load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} at the end; node ${process.version}`,
    );
    console.log(`${ROUNDS} rounds × ${PER_ROUND} requests per store, concurrency ${CONCURRENCY}\n`);
    const requests = ROUNDS * PER_ROUND;
    console.log('| store | p50 ms | p90 ms | p99 ms | server CPU µs/request |');
    console.log('|---|---|---|---|---|');
    for (const name of ['memory', 'redis']) {
      const values = all[name];
      console.log(
        `| ${name} | ${ms(quantile(values, 0.5))} | ${ms(quantile(values, 0.9))} | ${ms(quantile(values, 0.99))} | ${((cpu[name] * 1000) / requests).toFixed(0)} |`,
      );
    }
    console.log(`\nredis-server's own CPU: ${((redisCpu * 1000) / requests).toFixed(0)} µs per request`);
    console.log(
      `\nAdded per request (redis − memory): p50 of all ${ms(quantile(all.redis, 0.5) - quantile(all.memory, 0.5))} ms; median over rounds of the p50 difference ${ms(quantile(differences, 0.5))} ms`,
    );
    console.log(
      `One take from this process to Redis (no HTTP, one at a time): p50 ${ms(quantile(trip, 0.5))} ms, p99 ${ms(quantile(trip, 0.99))} ms`,
    );
  } finally {
    for (const server of Object.values(servers)) server.child.kill('SIGTERM');
    redis.child.kill('SIGTERM');
  }
}

await main();
