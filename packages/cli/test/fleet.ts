/**
 * A small fleet for `emotion analyze --server`: two real server processes behind Debian's
 * HAProxy, configured by deploy/haproxy.cfg as the rolling-restart test does.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

import { freePort, repoRoot, type RunningServer, startServer } from '@emotion/test-support';

export interface Fleet {
  /** The load balancer's address. */
  url: string;
  replicas: RunningServer[];
  /** SIGTERM to replica `index`; once it has drained and exited (code 0 expected), a new one on its port. */
  restart(index: number): Promise<number | null>;
  /** HAProxy's statistics, CSV. */
  stats(): Promise<string>;
  stop(): Promise<void>;
}

export async function startFleet(env: Record<string, string> = {}): Promise<Fleet> {
  const [lb, stats, a, b] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const ports = [a, b] as number[];
  // SHUTDOWN_DELAY_MS: the replica stays open while HAProxy's 250 ms health checks notice the drain.
  const serverEnv = (port: number) => ({ LOG_REQUESTS: '0', SHUTDOWN_DELAY_MS: '750', ...env, PORT: String(port) });
  const replicas = await Promise.all(ports.map((port) => startServer(serverEnv(port))));
  const haproxy: ChildProcess = spawn('haproxy', ['-f', join(repoRoot, 'deploy/haproxy.cfg'), '-db'], {
    env: {
      ...process.env,
      LB_PORT: String(lb),
      STATS_PORT: String(stats),
      PORT_A: String(a),
      PORT_B: String(b),
      HEALTH_PATH: '/health/ready',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let haproxyLog = '';
  haproxy.stderr?.on('data', (chunk: Buffer) => (haproxyLog += chunk.toString()));
  const url = `http://127.0.0.1:${lb}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    const answer = await fetch(`${url}/health/ready`).catch(() => null);
    if (answer?.ok) break;
    if (haproxy.exitCode !== null || Date.now() > deadline) {
      haproxy.kill('SIGKILL');
      for (const replica of replicas) replica.child.kill('SIGKILL');
      throw new Error(`HAProxy did not answer on ${url}:\n${haproxyLog}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url,
    replicas,
    async restart(index) {
      const old = replicas[index];
      const port = ports[index];
      if (!old || port === undefined) throw new Error(`no replica ${index}`);
      old.child.kill('SIGTERM');
      const code = await old.exited;
      replicas[index] = await startServer(serverEnv(port));
      return code;
    },
    stats: async () => (await fetch(`http://127.0.0.1:${stats}/stats;csv`)).text(),
    async stop() {
      haproxy.kill('SIGTERM');
      for (const replica of replicas) replica.child.kill('SIGKILL');
      await Promise.all(replicas.map((replica) => replica.exited));
    },
  };
}
