/**
 * A real Redis for the tests: Debian's redis-server (.ci/run installs it) on a free port, no
 * persistence, stopped, stalled and restarted on the same port as a test needs. Without it a
 * local run skips, saying so; in CI (CI set) that is a failure.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { connect } from 'node:net';

import { freePort } from '@emotion/test-support';

export const REDIS_SERVER = process.env.REDIS_SERVER_PATH ?? 'redis-server';

export function redisAvailable(testName: string): boolean {
  try {
    execFileSync(REDIS_SERVER, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    const message = `${testName}: no ${REDIS_SERVER} (apt-get install redis-server, or set REDIS_SERVER_PATH)`;
    if (process.env.CI) throw new Error(`${message}; CI must run it`);
    console.warn(`${message}: SKIPPED`);
    return false;
  }
}

export interface TestRedis {
  port: number;
  url: string;
  /** Starts it (again, on the same port, empty) and resolves once it answers. */
  start(): Promise<void>;
  /** SIGTERM, and resolves once it has exited. */
  stop(): Promise<void>;
  /** SIGSTOP / SIGCONT: connected, but answering nothing (a stalled Redis). */
  pause(): void;
  resume(): void;
}

/** `args`: more redis-server options, e.g. ['--requirepass', secret]. */
export async function testRedis(args: string[] = []): Promise<TestRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const redis: TestRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      const started = spawn(
        REDIS_SERVER,
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--save',
          '',
          '--appendonly',
          'no',
          '--loglevel',
          'warning',
          ...args,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      child = started;
      let output = '';
      started.stderr?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        if (started.exitCode !== null) throw new Error(`redis-server exited (${started.exitCode}): ${output}`);
        if (await answers(port)) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`redis-server did not answer on port ${port}: ${output}`);
    },
    async stop() {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null) return;
      running.kill('SIGCONT');
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGTERM');
      await exited;
    },
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
  };
  await redis.start();
  return redis;
}

/** Whether a PING on `port` gets +PONG. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      // A Redis with a password answers too, refusing the PING.
      resolve(/^(\+PONG|-NOAUTH)/.test(data.toString()));
    });
    for (const event of ['error', 'timeout']) {
      socket.once(event, () => {
        socket.destroy();
        resolve(false);
      });
    }
  });
}
