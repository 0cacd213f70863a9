/**
 * `emotion analyze --server`: images sent to real servers, alone or as a fleet behind HAProxy,
 * with replicas that restart, shed load, rate-limit and check keys.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

import { freePort, startServer } from '@emotion/test-support';
import { describe, expect, it } from 'vitest';

import { startFleet } from './fleet.js';
import { bin, facesDir, packageDir, runCli } from './fixtures.js';
import { programAvailable } from './tools.js';

interface Line {
  file: string;
  faces?: unknown[];
  error?: { code: string; message: string };
}

/**
 * A folder of links to `count` faces (every k-th of faces-224's sorted files): the batch is given
 * as a folder, as users with that many images do. Links, not copies: the data stays in ../shared.
 */
function linkedFaces(count: number): string {
  const folder = mkdtempSync(join(tmpdir(), 'emotion-fleet-'));
  faces(count).forEach((file, index) => {
    symlinkSync(file, join(folder, `${String(index).padStart(5, '0')}-${basename(file)}`));
  });
  return folder;
}

/** Every `step`-th face of faces-224 (all seven folders, sorted), `count` of them. */
function faces(count: number): string[] {
  const all = readdirSync(facesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => readdirSync(join(facesDir, entry.name)).map((name) => join(facesDir, entry.name, name)))
    .sort();
  const step = Math.max(1, Math.floor(all.length / count));
  return all.filter((_, index) => index % step === 0).slice(0, count);
}

const parse = (stdout: string): Line[] =>
  stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Line);

const byFile = (lines: Line[]) => new Map(lines.map((line) => [line.file, line]));

// CI runs the full 2,000; FLEET_IMAGES makes a quicker local run.
const FLEET_IMAGES = Number(process.env.FLEET_IMAGES || 2000);

describe.skipIf(!programAvailable('haproxy', 'emotion analyze --server behind HAProxy'))(
  'emotion analyze --server, a fleet of two behind HAProxy',
  { timeout: 600_000 },
  () => {
    it(`${FLEET_IMAGES} images, one replica restarted midway: none lost, results identical to the local run`, async () => {
      const folder = linkedFaces(FLEET_IMAGES);
      const fleet = await startFleet();
      try {
        const local = await runCli(['analyze', '--ndjson', folder]);
        expect(local.code).toBe(0);

        let restarted: Promise<number | null> | undefined;
        const remote = await runStreaming(
          ['analyze', '--ndjson', '--server', fleet.url, '--concurrency', '8', folder],
          (lines) => {
            // A third of the way in, replica a drains, exits and comes back while the batch goes on.
            if (!restarted && lines >= FLEET_IMAGES / 3) restarted = fleet.restart(0);
          },
        );
        expect(remote.stderr).toMatch(new RegExp(`${FLEET_IMAGES} images \\(0 failed\\)`));
        expect(remote.code).toBe(0);
        expect(await restarted).toBe(0);

        const expected = byFile(parse(local.stdout));
        expect(expected.size).toBe(FLEET_IMAGES);
        const answered = parse(remote.stdout);
        expect(answered).toHaveLength(FLEET_IMAGES);
        expect(answered.filter((line) => line.error)).toEqual([]);
        expect(byFile(answered)).toEqual(expected);

        // Both replicas served, and HAProxy sent no 5xx to the client.
        const stats = (await fleet.stats()).split('\n').map((row) => row.split(','));
        const served = stats.filter((row) => row[0] === 'replicas' && ['a', 'b'].includes(row[1] ?? ''));
        for (const row of served) expect(Number(row[40])).toBeGreaterThan(0); // hrsp_2xx
        const frontend = stats.find((row) => row[0] === 'api' && row[1] === 'FRONTEND');
        expect(frontend?.[43]).toBe('0'); // hrsp_5xx
      } finally {
        await fleet.stop();
        rmSync(folder, { recursive: true, force: true });
      }
    });
  },
);

describe('emotion analyze --server, one server', { timeout: 180_000 }, () => {
  const images = faces(40);

  it('a server shedding load (MAX_QUEUE=1) answers 503 with Retry-After: every image still comes back', async () => {
    const server = await startServer({ LOG_REQUESTS: '0', INFERENCE_THREADS: '1', MAX_QUEUE: '1' });
    try {
      const run = await runCli(['analyze', '--ndjson', '--server', server.url, '--concurrency', '6', ...images]);
      expect(run.stderr).toMatch(/40 images \(0 failed\)/);
      expect(run.code).toBe(0);
      expect(parse(run.stdout)).toHaveLength(40);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      // The retries happened: the server refused some requests before answering them all.
      expect(Number(/^emotion_server_busy_total (\d+)/m.exec(metrics)?.[1])).toBeGreaterThan(0);
    } finally {
      server.child.kill('SIGKILL');
    }
  });

  it('a rate limit (429, Retry-After) is waited out; with --attempts 1 the refused images fail, exit 1', async () => {
    const server = await startServer({ LOG_REQUESTS: '0', RATE_LIMIT: '10/s', RATE_LIMIT_BURST: '2' });
    try {
      const few = images.slice(0, 12);
      const patient = await runCli(['analyze', '--ndjson', '--server', server.url, '-c', '4', ...few]);
      expect(patient.code).toBe(0);
      expect(parse(patient.stdout).filter((line) => line.error)).toEqual([]);

      const hasty = await runCli(['analyze', '--ndjson', '--server', server.url, '-c', '4', '--attempts', '1', ...few]);
      expect(hasty.code).toBe(1);
      const refused = parse(hasty.stdout).filter((line) => line.error);
      expect(refused.length).toBeGreaterThan(0);
      expect(refused[0]?.error).toEqual({
        code: 'RATE_LIMITED',
        message: 'Too many requests (gave up after 1 attempts)',
      });
    } finally {
      server.child.kill('SIGKILL');
    }
  });

  it('sends the API key (EMOTION_API_KEY or --api-key); a refused key stops the run at once', async () => {
    const key = 'fleet-test-key-0123456789abcdef';
    const server = await startServer({ LOG_REQUESTS: '0', API_KEYS: key });
    try {
      const few = images.slice(0, 3);
      const good = await runCli(['analyze', '--json', '--server', server.url, ...few], {
        env: { EMOTION_API_KEY: key },
      });
      expect(good.code).toBe(0);
      const wrong = await runCli(['analyze', '--ndjson', '--server', server.url, '--api-key', 'not-the-key', ...few]);
      expect(wrong.code).toBe(1);
      expect(wrong.stdout).toBe('');
      expect(wrong.stderr).toMatch(/^emotion: the server refused the request \(401\): Invalid API key\n$/);
    } finally {
      server.child.kill('SIGKILL');
    }
  });

  it('no server: each image fails with the connection error after its attempts, exit 1', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const run = await runCli(['analyze', '--ndjson', '--server', url, '--attempts', '2', ...images.slice(0, 2)]);
    expect(run.code).toBe(1);
    expect(parse(run.stdout).map((line) => line.error?.code)).toEqual(['ECONNREFUSED', 'ECONNREFUSED']);
  });

  it('usage errors: options the server decides, a key without a server, a URL that is not http', async () => {
    for (const args of [
      ['--server', 'http://127.0.0.1:1', '--annotate', 'out'],
      ['--server', 'http://127.0.0.1:1', '--min-face-size', '28'],
      ['--api-key', 'k'],
      ['--server', 'ftp://example'],
    ]) {
      const run = await runCli(['analyze', ...args, images[0] ?? '']);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(/error/);
    }
  });
});

/** Runs the CLI, calling `onLines` with the count of stdout lines so far as they arrive. */
function runStreaming(
  args: string[],
  onLines: (lines: number) => void,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let lines = 0;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      lines += chunk.split('\n').length - 1;
      onLines(lines);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
