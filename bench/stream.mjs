/**
 * The live stream's pace: starts packages/server (as `pnpm start` does), opens GET /v1/stream and
 * sends one frame over and over for DURATION seconds, twice:
 *   paced  as the web page does: two frames in flight, the next sent when an answer comes back;
 *   flood  FPS frames per second whatever the answers (a client faster than inference).
 * Reports answers per second, frames dropped, and the server's latencyMs (arrival → answer)
 * median and 95th percentile.
 *
 *   node bench/stream.mjs [--frame bench/.frames/webcam_one_face.png] [--duration 20] [--fps 60]
 *   (default frame: bench/.frames/webcam_one_face.png when `bash bench/frames.sh` made it,
 *   else a 224x224 face from ../shared/datasets/faces-224)
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// `ws` is the server's dependency (through @hono/node-ws); Node 20 has no WebSocket client of its own.
const WebSocket = createRequire(join(repo, 'packages/server/package.json'))('ws');
const shared = process.env.EMOTION_SHARED_DIR ?? resolve(repo, '../shared');
const webcamFrame = join(repo, 'bench/.frames/webcam_one_face.png');
const { values: args } = parseArgs({
  options: {
    frame: {
      type: 'string',
      default: existsSync(webcamFrame) ? webcamFrame : join(shared, 'datasets/faces-224/happy/img_161012313.jpg'),
    },
    duration: { type: 'string', default: '20' },
    fps: { type: 'string', default: '60' },
  },
});
const PORT = 5079;
const frame = readFileSync(args.frame);
const durationMs = Number(args.duration) * 1000;

const server = spawn(process.execPath, [join(repo, 'packages/server/dist/start.cjs')], {
  env: { ...process.env, PORT: String(PORT), HOST: '127.0.0.1', LOG_REQUESTS: '0' },
  stdio: 'inherit',
});
try {
  for (let i = 0; ; i++) {
    const health = await fetch(`http://127.0.0.1:${PORT}/health`).catch(() => undefined);
    if (health?.ok) break;
    if (i > 600) throw new Error('the server did not get ready in 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  console.log(`frame: ${args.frame} (${frame.length} bytes), ${args.duration} s per run`);
  for (const mode of ['paced', 'flood']) {
    const result = await run(mode);
    console.log(JSON.stringify({ mode, ...result }));
  }
} finally {
  server.kill('SIGTERM');
}

function run(mode) {
  return new Promise((resolveRun, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${PORT}/v1/stream`);
    const latencies = [];
    let sent = 0;
    let settled = 0;
    let dropped = 0;
    let started = 0;
    let timer;
    const send = () => {
      socket.send(frame);
      sent++;
    };
    const finish = () => {
      clearInterval(timer);
      socket.close();
      const seconds = (performance.now() - started) / 1000;
      latencies.sort((a, b) => a - b);
      const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
      resolveRun({
        sent,
        answered: latencies.length,
        dropped,
        answersPerSecond: +(latencies.length / seconds).toFixed(2),
        latencyMs: { p50: at(0.5), p95: at(0.95) },
      });
    };
    socket.on('error', reject);
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString());
      if (message.type === 'ready') {
        started = performance.now();
        setTimeout(finish, durationMs);
        if (mode === 'paced') {
          send();
          send();
        } else {
          timer = setInterval(send, 1000 / Number(args.fps));
        }
        return;
      }
      if (message.type !== 'faces') return reject(new Error(JSON.stringify(message)));
      latencies.push(message.latencyMs);
      dropped = message.dropped;
      settled = message.frame;
      if (mode === 'paced') while (sent - settled < 2) send();
    });
  });
}
