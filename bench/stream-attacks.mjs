/**
 * The live stream under attack (issue 23's "Done means"), measured against a built server
 * entry, so that two builds (before and after) can be compared on the same machine. Each
 * scenario starts its own server process (PORT=0, as packages/test-support's startServer does):
 *   handshakes    RSS and V8 heap after N malformed upgrades to /v1/stream (no Sec-WebSocket-Key,
 *                 or Sec-WebSocket-Version: 7, alternating; 50 at a time), then after 10 s idle
 *   never-reading RSS peak while one raw client (handshake done, socket paused, never read) sends
 *                 --flood-mb (1) MB of one-byte text frames
 *   fairness      /predict success rate, one call at a time, while 8 streams send flat out (each
 *                 sends its next frame as soon as the last is answered) for --seconds
 *   rate-limit    frames analysed out of 300 sent on one stream at RATE_LIMIT=5/min
 *   shutdown      exit code and time of a SIGTERM with 20 open streams whose clients (raw,
 *                 paused) never read or answer the close frame
 * fairness sets STREAM_MAX_PER_CALLER=16 and shutdown 32, since every stream comes from one
 * address (the builds before issue 23 ignore the variable).
 *
 * The server runs with --expose-gc and a preload that forces a GC on SIGUSR2, so the heap is
 * read after a full collection; the heap comes from its own /metrics (nodejs_heap_size_used_bytes).
 * RSS comes from /proc/<pid>/status (VmRSS; VmHWM, reset through clear_refs, for peaks).
 *
 *   node bench/stream-attacks.mjs --server /path/to/packages/server/dist/start.cjs
 *     [--only handshakes,never-reading,fairness,rate-limit,shutdown] [--handshakes 20000] [--seconds 20]
 *     [--flood-mb 1] (what the never-reading client sends)
 * Prints one JSON line per scenario. Take `flock /tmp/bench.lock` around it.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// `ws` is the server's dependency; Node 20 has no WebSocket client of its own.
const WebSocket = createRequire(join(repo, 'packages/server/package.json'))('ws');
const shared = process.env.EMOTION_SHARED_DIR ?? resolve(repo, '../shared');
const SCENARIOS = ['handshakes', 'never-reading', 'fairness', 'rate-limit', 'shutdown'];
const { values: args } = parseArgs({
  options: {
    server: { type: 'string', default: join(repo, 'packages/server/dist/start.cjs') },
    only: { type: 'string', default: SCENARIOS.join(',') },
    handshakes: { type: 'string', default: '20000' },
    seconds: { type: 'string', default: '20' },
    'flood-mb': { type: 'string', default: '1' },
    frame: { type: 'string', default: join(shared, 'datasets/faces-224/happy/img_161012313.jpg') },
  },
});
const face = readFileSync(args.frame);
const MiB = 1024 * 1024;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const mb = (bytes) => +(bytes / MiB).toFixed(1);
const load = () => loadavg().map((l) => +l.toFixed(2));

// A GC on demand, so heap numbers are what stays live, not what waits for collection.
const preloadDir = mkdtempSync(join(tmpdir(), 'stream-attacks-'));
const preload = join(preloadDir, 'gc-on-sigusr2.cjs');
writeFileSync(preload, "process.on('SIGUSR2', () => globalThis.gc && globalThis.gc());\n");

// ---- the server process ----

async function startServer(env = {}) {
  const child = spawn(process.execPath, ['--expose-gc', '--require', preload, args.server], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_REQUESTS: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal, at: performance.now() })));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}):\n${output}`);
    const port = Number(/listening on http:\/\/[^:]+:(\d+)/.exec(output)?.[1] ?? 0);
    if (port) {
      const health = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
      if (health?.ok) {
        return {
          child,
          port,
          url: `http://127.0.0.1:${port}`,
          exited,
          output: () => output,
          alive: () => child.exitCode === null && child.signalCode === null,
        };
      }
    }
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`the server was not ready in 60 s:\n${output}`);
}

function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kB = (field) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1]) * 1024;
  return { rss: kB('VmRSS'), hwm: kB('VmHWM') };
}

/** Resets VmHWM to the current RSS (Linux: 5 > clear_refs). */
function resetPeak(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

async function collectGarbage(server) {
  server.child.kill('SIGUSR2');
  await sleep(1_000);
}

async function heapUsed(server) {
  const text = await fetch(`${server.url}/metrics`).then(
    (r) => r.text(),
    () => '',
  );
  const value = Number(/^nodejs_heap_size_used_bytes (\S+)/m.exec(text)?.[1]);
  return Number.isFinite(value) ? value : undefined;
}

async function streamMetrics(server) {
  const text = await fetch(`${server.url}/metrics`).then(
    (r) => r.text(),
    () => '',
  );
  return text.split('\n').filter((line) => /^emotion_stream/.test(line));
}

/** The process still answers: a /predict with the right emotion. */
async function stillServes(server) {
  if (!server.alive()) return false;
  const response = await fetch(`${server.url}/predict`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ image: face.toString('base64') }),
  }).catch(() => undefined);
  return (await response?.text()) === '{"emotion":"HAPPY"}\n';
}

async function stop(server) {
  if (server.alive()) server.child.kill('SIGKILL');
  await server.exited;
}

// ---- raw WebSocket clients ----

function upgradeHead(target, headers = {}) {
  const all = {
    Host: 'localhost',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
    'Sec-WebSocket-Version': '13',
    ...headers,
  };
  const lines = Object.entries(all).flatMap(([name, value]) => (value === null ? [] : [`${name}: ${value}`]));
  return `GET ${target} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}

function dial(port) {
  return new Promise((resolveDial, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolveDial(socket));
    socket.once('error', reject);
  });
}

/** Sends an upgrade head, reads the answer's status, half-closes and waits for the server's close. */
async function exchange(port, head, timeoutMs = 5_000) {
  const socket = await dial(port);
  socket.on('error', () => {});
  return new Promise((resolveExchange) => {
    let text = '';
    let status;
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolveExchange(status ?? Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0));
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      if (status === undefined && text.includes('\r\n\r\n')) {
        status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
        // A FIN, not a reset: the server may still be writing.
        socket.end();
      }
    });
    socket.on('close', done);
    socket.write(head);
  });
}

/** A masked client frame. */
function frame(opcode, payload) {
  const mask = randomBytes(4);
  const header = Buffer.from([0x80 | opcode, 0x80 | payload.length]);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]));
  return Buffer.concat([header, mask, masked]);
}

/** A completed handshake on a raw socket, left paused: a client that never reads. */
async function openRawStream(port) {
  const socket = await dial(port);
  socket.on('error', () => {});
  const head = await new Promise((resolveHead, reject) => {
    let text = '';
    const onData = (chunk) => {
      text += chunk.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      socket.pause();
      resolveHead(text.slice(0, end));
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error(`closed during the handshake: ${text}`)));
    socket.write(upgradeHead('/v1/stream'));
  });
  if (!head.startsWith('HTTP/1.1 101')) throw new Error(`no upgrade: ${head.split('\r\n')[0]}`);
  return socket;
}

/** A well-behaved `ws` stream client: sends a frame, resolves with its answer. */
async function openStream(server) {
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/v1/stream`);
  const queue = [];
  const waiters = [];
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString());
    const waiter = waiters.shift();
    if (waiter) waiter(message);
    else queue.push(message);
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    for (const waiter of waiters.splice(0)) waiter({ type: 'closed' });
  });
  const next = () => (queue.length ? Promise.resolve(queue.shift()) : new Promise((r) => waiters.push(r)));
  const ready = await next();
  if (ready.type !== 'ready') throw new Error(`the stream did not open: ${JSON.stringify(ready)}`);
  return {
    socket,
    frame: (bytes) => {
      if (socket.readyState !== WebSocket.OPEN) return Promise.resolve({ type: 'closed' });
      socket.send(bytes);
      return next();
    },
  };
}

const kind = (answer) => (answer.type === 'error' ? `error:${answer.code}` : answer.type);
function tally(items) {
  const counts = {};
  for (const item of items) counts[item] = (counts[item] ?? 0) + 1;
  return counts;
}

// ---- the scenarios ----

async function handshakes() {
  const server = await startServer();
  try {
    const pid = server.child.pid;
    const count = Number(args.handshakes);
    const statuses = [];
    const run = async (n) => {
      for (let i = 0; i < n && server.alive(); i += 50) {
        const batch = await Promise.all(
          Array.from({ length: Math.min(50, n - i) }, (_, j) =>
            exchange(
              server.port,
              upgradeHead('/v1/stream', (i + j) % 2 ? { 'Sec-WebSocket-Key': null } : { 'Sec-WebSocket-Version': '7' }),
            ),
          ),
        );
        statuses.push(...batch);
      }
    };
    await run(1_000); // warm-up: the first thousand settle the allocator
    await collectGarbage(server);
    const before = { rss: memory(pid).rss, heap: await heapUsed(server) };
    resetPeak(pid);
    const started = performance.now();
    await run(count);
    const seconds = (performance.now() - started) / 1000;
    if (!server.alive())
      return { scenario: 'handshakes', died: await server.exited, output: server.output().slice(-2000) };
    const right = { rss: memory(pid).rss, peak: memory(pid).hwm };
    await sleep(10_000);
    await collectGarbage(server);
    const idle = { rss: memory(pid).rss, heap: await heapUsed(server) };
    return {
      scenario: 'handshakes',
      handshakes: count,
      seconds: +seconds.toFixed(1),
      statuses: tally(statuses.slice(1_000).map(String)),
      rssBeforeMB: mb(before.rss),
      heapBeforeMB: mb(before.heap),
      rssRightAfterMB: mb(right.rss),
      rssPeakMB: mb(right.peak),
      rssIdleAfterMB: mb(idle.rss),
      heapIdleAfterMB: mb(idle.heap),
      bytesKeptPerHandshake: Math.round((idle.heap - before.heap) / count),
      stillServes: await stillServes(server),
    };
  } finally {
    await stop(server);
  }
}

async function neverReading() {
  const server = await startServer();
  try {
    const pid = server.child.pid;
    const socket = await openRawStream(server.port);
    let closedByServer = false;
    socket.once('close', () => (closedByServer = true));
    await sleep(500);
    await collectGarbage(server);
    const before = memory(pid).rss;
    const hwmReset = resetPeak(pid);
    let sampled = before;
    const sampler = setInterval(() => {
      if (server.alive()) sampled = Math.max(sampled, memory(pid).rss);
    }, 20);
    const one = frame(1, Buffer.from('x'));
    const frames = Math.floor((Number(args['flood-mb']) * MiB) / one.length);
    const started = performance.now();
    let sent = 0;
    while (sent < frames && !socket.destroyed) {
      const n = Math.min(10_000, frames - sent);
      const chunk = Buffer.concat(Array.from({ length: n }, () => frame(1, Buffer.from('x'))));
      sent += n;
      if (!socket.write(chunk)) {
        await Promise.race([new Promise((r) => socket.once('drain', r)), new Promise((r) => socket.once('close', r))]);
      }
    }
    const sendSeconds = (performance.now() - started) / 1000;
    await sleep(3_000);
    clearInterval(sampler);
    if (!server.alive())
      return { scenario: 'never-reading', died: await server.exited, output: server.output().slice(-2000) };
    const after = memory(pid);
    const peak = hwmReset ? Math.max(after.hwm, sampled) : sampled;
    const result = {
      scenario: 'never-reading',
      framesSent: sent,
      bytesSent: sent * one.length,
      sendSeconds: +sendSeconds.toFixed(2),
      rssBeforeMB: mb(before),
      rssPeakMB: mb(peak),
      rssPeakGrowthMB: mb(peak - before),
      rss3sAfterMB: mb(after.rss),
      closedByServer,
      streamMetrics: await streamMetrics(server),
    };
    socket.destroy();
    await sleep(300);
    result.stillServes = await stillServes(server);
    return result;
  } finally {
    await stop(server);
  }
}

async function fairness() {
  const server = await startServer({ STREAM_MAX_PER_CALLER: '16' });
  try {
    const seconds = Number(args.seconds);
    const streams = await Promise.all(Array.from({ length: 8 }, () => openStream(server)));
    let running = true;
    const answers = [];
    const floods = streams.map(async (stream) => {
      while (running) {
        const answer = await stream.frame(face);
        answers.push(kind(answer));
        if (answer.type === 'closed') break;
      }
    });
    const statuses = [];
    const started = performance.now();
    const until = Date.now() + seconds * 1000;
    while (Date.now() < until) {
      const response = await fetch(`${server.url}/predict`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ image: face.toString('base64') }),
      }).catch(() => undefined);
      statuses.push(response?.status ?? 0);
      await response?.text();
    }
    const elapsed = (performance.now() - started) / 1000;
    running = false;
    await Promise.all(floods);
    for (const stream of streams) stream.socket.close();
    const ok = statuses.filter((s) => s === 200).length;
    return {
      scenario: 'fairness',
      env: { STREAM_MAX_PER_CALLER: '16' },
      seconds: +elapsed.toFixed(1),
      predictCalls: statuses.length,
      predictOk: ok,
      predictSuccessRate: +(ok / statuses.length).toFixed(3),
      predictStatuses: tally(statuses.map(String)),
      streamAnswers: tally(answers),
      streamFramesAnalysedPerSecond: +(answers.filter((a) => a === 'faces').length / elapsed).toFixed(1),
      alive: server.alive(),
    };
  } finally {
    await stop(server);
  }
}

async function rateLimit() {
  const server = await startServer({ RATE_LIMIT: '5/min' });
  try {
    const stream = await openStream(server);
    const answers = [];
    const started = performance.now();
    for (let i = 0; i < 300; i++) {
      const answer = await stream.frame(face);
      answers.push(answer);
      if (answer.type === 'closed') break;
    }
    const seconds = (performance.now() - started) / 1000;
    const open = stream.socket.readyState === WebSocket.OPEN;
    stream.socket.close();
    return {
      scenario: 'rate-limit',
      env: { RATE_LIMIT: '5/min' },
      framesSent: answers.length,
      framesAnalysed: answers.filter((a) => a.type === 'faces').length,
      answers: tally(answers.map(kind)),
      firstRetryAfter: answers.find((a) => a.code === 'RATE_LIMITED')?.retryAfter,
      seconds: +seconds.toFixed(1),
      streamStillOpen: open,
    };
  } finally {
    await stop(server);
  }
}

async function shutdown() {
  const server = await startServer({ STREAM_MAX_PER_CALLER: '32' });
  const sockets = [];
  try {
    for (let i = 0; i < 20; i++) sockets.push(await openRawStream(server.port));
    await sleep(500);
    const started = performance.now();
    server.child.kill('SIGTERM');
    const exit = await Promise.race([server.exited, sleep(60_000).then(() => undefined)]);
    const seconds = exit ? (exit.at - started) / 1000 : undefined;
    const lastLines = server.output().trim().split('\n').slice(-2);
    return {
      scenario: 'shutdown',
      env: { STREAM_MAX_PER_CALLER: '32' },
      streams: sockets.length,
      exitCode: exit?.code ?? 'still running after 60 s',
      exitSignal: exit?.signal ?? undefined,
      seconds: seconds === undefined ? undefined : +seconds.toFixed(2),
      lastLog: lastLines,
    };
  } finally {
    for (const socket of sockets) socket.destroy();
    await stop(server);
  }
}

const run = { handshakes, 'never-reading': neverReading, fairness, 'rate-limit': rateLimit, shutdown };
try {
  console.log(
    JSON.stringify({ server: args.server, node: process.version, load: load(), at: new Date().toISOString() }),
  );
  for (const name of args.only.split(',')) {
    if (!run[name]) throw new Error(`unknown scenario "${name}"; one of ${SCENARIOS.join(', ')}`);
    const loadBefore = load();
    const result = await run[name]();
    console.log(JSON.stringify({ ...result, load: { before: loadBefore, after: load() } }));
  }
} finally {
  rmSync(preloadDir, { recursive: true, force: true });
}
