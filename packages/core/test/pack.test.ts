/**
 * The package as a user gets it: packed, installed into a fresh project outside the
 * workspace, and run there with no environment variables, finding its models and ONNX
 * Runtime by itself.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, describe, expect, it } from 'vitest';

import { sharedDir } from '@emotion/test-support';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const workDir = mkdtempSync(join(tmpdir(), 'emotion-pack-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('the packed package', () => {
  it('installs into a fresh project and analyzes a real face there', () => {
    execFileSync('pnpm', ['pack', '--pack-destination', workDir], { cwd: packageDir, stdio: 'pipe' });
    const tarball = readdirSync(workDir).find((name) => name.endsWith('.tgz'));
    expect(tarball).toBeDefined();

    const project = join(workDir, 'app');
    execFileSync('mkdir', ['-p', project]);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    // onnxruntime-node's install script downloads CUDA libraries; the CPU library we load ships in its tarball.
    execFileSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', join(workDir, tarball!)], {
      cwd: project,
      stdio: 'pipe',
      env: { ...process.env, ORT_DYLIB_PATH: '' },
    });
    writeFileSync(
      join(project, 'main.js'),
      `import { readFileSync } from 'node:fs';
import { createEngine } from '@emotion/core';
const engine = await createEngine();
const faces = await engine.analyze(readFileSync(process.argv[2]));
const dominant = await engine.dominantEmotion(readFileSync(process.argv[2]), { among: ['happy', 'sad'] });
console.log(JSON.stringify({ faces: faces.length, landmarks: faces[0]?.landmarks.length, emotions: faces[0]?.emotions.length, dominant }));
`,
    );
    const env = { ...process.env };
    delete env.ORT_DYLIB_PATH;
    const face = join(sharedDir, 'datasets/faces-224/happy/45952868.jpg');
    const output = execFileSync('node', ['main.js', face], { cwd: project, env, encoding: 'utf8' });
    const result = JSON.parse(output.trim().split('\n').pop()!);
    expect(result).toEqual({ faces: 1, landmarks: 468 * 3, emotions: 7, dominant: 'happy' });
  }, 180_000);
});
