/**
 * The CLI as a user gets it: every package packed under its published name (scripts/pack.mjs
 * --release), the CLI's tarball and its siblings installed into a fresh project outside the
 * workspace with plain `npm install` (install scripts on, no flags, no overrides), and `emotion`
 * run from node_modules/.bin: --version, analyze, and serve, which answers the web page at `/`.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, describe, expect, it } from 'vitest';

import { facesDir, repoRoot, runCli } from './fixtures.js';

const execAsync = promisify(execFile);
const workDir = mkdtempSync(join(tmpdir(), 'emotion-cli-pack-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('the packed CLI', () => {
  it('installs into a fresh project; emotion --version, analyze and serve (page included) work there', async () => {
    const out = join(workDir, 'tarballs');
    // Asynchronous, so that vitest's worker keeps answering while npm works for a minute.
    await execAsync('node', [join(repoRoot, 'scripts/pack.mjs'), '--release', '--out', out]);
    const project = join(workDir, 'app');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', private: true }));
    const env = { ...process.env };
    delete env.ORT_DYLIB_PATH;
    delete env.EMOTION_NATIVE_PATH;
    const tarballs = readdirSync(out).map((f) => join(out, f));
    await execAsync('npm', ['install', '--no-audit', '--no-fund', ...tarballs], {
      cwd: project,
      env,
      shell: process.platform === 'win32', // npm is npm.cmd there
    });
    for (const tarball of tarballs) {
      const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n');
      expect(files, tarball).toContain('package/LICENSE');
      expect(files, tarball).toContain('package/NOTICE');
      expect(
        files.filter((f) => /\btest\b|\.test\./.test(f)),
        tarball,
      ).toEqual([]);
    }

    const emotion = join(project, 'node_modules/.bin/emotion');
    const version = (
      JSON.parse(readFileSync(join(repoRoot, 'packages/cli/package.json'), 'utf8')) as { version: string }
    ).version;
    expect(execFileSync(emotion, ['--version'], { cwd: project, encoding: 'utf8', env })).toBe(`${version}\n`);
    const face = join(facesDir, 'happy/img_161012313.jpg');
    const run = await runCli(['analyze', '--json', face], { cwd: project, binPath: emotion });
    expect(run.code, run.stderr).toBe(0);
    const { images } = JSON.parse(run.stdout) as { images: { faces: { emotion: string }[] }[] };
    expect(images[0]!.faces.map((f) => f.emotion)).toEqual(['happy']);

    const server = spawn(process.execPath, [emotion, 'serve', '--port', '0'], { cwd: project, stdio: 'pipe', env });
    try {
      let output = '';
      server.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      server.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      let port: string | undefined;
      let health = 0;
      for (let i = 0; i < 300 && health !== 200; i++) {
        await new Promise((r) => setTimeout(r, 100));
        port = /listening on http:\/\/[^:]+:(\d+)/.exec(output)?.[1];
        if (port) health = (await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.status ?? 0;
      }
      expect(health, output).toBe(200);
      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      expect(await page.text()).toMatch(/<script[^>]+src="[^"]*assets\//);
    } finally {
      server.kill('SIGKILL');
    }
  }, 600_000);
});
