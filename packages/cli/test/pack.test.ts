/**
 * The CLI as a user gets it: @emotion/core, @emotion/server and @emotion/cli packed, installed
 * into a fresh project outside the workspace (our packages from their tarballs only: the
 * @emotion scope on npm belongs to another library), and `emotion` run from node_modules/.bin.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { facesDir, repoRoot, runCli } from './fixtures.js';

const workDir = mkdtempSync(join(tmpdir(), 'emotion-cli-pack-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function pack(packageDir: string): string {
  const before = new Set(readdirSync(workDir));
  execFileSync('pnpm', ['pack', '--pack-destination', workDir], { cwd: packageDir, stdio: 'pipe' });
  const tarball = readdirSync(workDir).find((name) => name.endsWith('.tgz') && !before.has(name));
  if (!tarball) throw new Error(`pnpm pack wrote no tarball for ${packageDir}`);
  return join(workDir, tarball);
}

describe('the packed CLI', () => {
  it('installs into a fresh project; emotion --version, analyze and serve work there', async () => {
    const tarballs = {
      '@emotion/core': pack(join(repoRoot, 'packages/core')),
      '@emotion/server': pack(join(repoRoot, 'packages/server')),
      '@emotion/cli': pack(join(repoRoot, 'packages/cli')),
    };
    const project = join(workDir, 'app');
    mkdirSync(project);
    const dependencies = Object.fromEntries(Object.entries(tarballs).map(([name, path]) => [name, `file:${path}`]));
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({
        name: 'app',
        private: true,
        dependencies,
        // The CLI's and server's own dependencies on our packages resolve to these tarballs too.
        overrides: { '@emotion/core': '$@emotion/core', '@emotion/server': '$@emotion/server' },
      }),
    );
    // onnxruntime-node's install script downloads CUDA libraries; the CPU library ships in its tarball.
    execFileSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: project, stdio: 'pipe' });

    const emotion = join(project, 'node_modules/.bin/emotion');
    expect(execFileSync(emotion, ['--version'], { cwd: project, encoding: 'utf8' })).toBe('0.1.0\n');
    const face = join(facesDir, 'happy/img_161012313.jpg');
    const run = await runCli(['analyze', '--json', face], { cwd: project, binPath: emotion });
    expect(run.code).toBe(0);
    const { images } = JSON.parse(run.stdout) as { images: { faces: { emotion: string }[] }[] };
    expect(images[0]!.faces.map((f) => f.emotion)).toEqual(['happy']);

    const server = spawn(process.execPath, [emotion, 'serve', '--port', '0'], { cwd: project, stdio: 'pipe' });
    try {
      let output = '';
      server.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      server.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      let health = 0;
      for (let i = 0; i < 300 && health !== 200; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const port = /listening on http:\/\/[^:]+:(\d+)/.exec(output)?.[1];
        if (port) health = (await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.status ?? 0;
      }
      expect(health, output).toBe(200);
    } finally {
      server.kill('SIGKILL');
    }
  }, 300_000);
});
