// What the benches that drive our server over loopback share: a free port, POST /predict at a
// fixed concurrency on kept-alive connections, and quantiles of what was measured.
import { request } from 'node:http';
import { createServer } from 'node:net';

/** A port nothing listens on now (the kernel's pick, released at once). */
export function freePort() {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/**
 * `count` POSTs of `{}` to /predict, `concurrency` at a time through `agent`: each is answered 400
 * "No image provided" after every middleware and without inference (anything else fails the run).
 * Each request's latency in ms, and the seconds the whole took.
 */
export async function drivePredict({ port, count, agent, concurrency, headers = {} }) {
  const body = '{}';
  const allHeaders = { 'Content-Type': 'application/json', 'Content-Length': body.length, ...headers };
  const latencies = [];
  let sent = 0;
  const one = () =>
    new Promise((resolve, reject) => {
      const started = process.hrtime.bigint();
      const options = { host: '127.0.0.1', port, path: '/predict', method: 'POST', headers: allHeaders, agent };
      const req = request(options, (res) => {
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
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { latencies, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

/** The q-quantile of `values` (nearest rank, below). */
export function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
