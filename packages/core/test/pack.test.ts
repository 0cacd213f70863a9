/**
 * The package as a user gets it: packed under its published name (scripts/pack.mjs --release),
 * installed into a fresh project outside the workspace with plain `npm install` (install scripts
 * on, no flags, no overrides), and used there from an ES module, a CommonJS script and a
 * `tsc --strict` file, finding its addon and ONNX Runtime in the platform package by itself.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { facesDir, repoRoot } from '@emotion/test-support';

const scope = (JSON.parse(readFileSync(join(repoRoot, 'scripts/release.json'), 'utf8')) as { npmScope: string })
  .npmScope;
const execAsync = promisify(execFile);
const workDir = mkdtempSync(join(tmpdir(), 'emotion-pack-'));
const project = join(workDir, 'app');
const face = join(facesDir, 'happy/45952868.jpg');
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

/** Bytes under `dir`, as `du` counts files (links not followed). */
function sizeOf(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += sizeOf(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

/** npm is npm.cmd on Windows, which only a shell runs. */
const shell = process.platform === 'win32';
const env = { ...process.env };
delete env.ORT_DYLIB_PATH;
delete env.EMOTION_NATIVE_PATH;

beforeAll(async () => {
  const out = join(workDir, 'tarballs');
  // Asynchronous, so that vitest's worker keeps answering while npm works for a minute.
  await execAsync('node', [join(repoRoot, 'scripts/pack.mjs'), '--release', '--out', out]);
  const tarballs = readdirSync(out).filter((f) => /-core-(\d|linux|darwin|win32)/.test(f));
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', private: true }));
  const started = performance.now();
  await execAsync('npm', ['install', '--no-audit', '--no-fund', ...tarballs.map((f) => join(out, f))], {
    cwd: project,
    env,
    shell,
  });
  const megabytes = sizeOf(join(project, 'node_modules')) / 1e6;
  console.log(
    `${scope}/core installed: ${megabytes.toFixed(1)} MB in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}, 300_000);

describe('the packed package, installed with plain npm', () => {
  it('brings its platform package and no onnxruntime-node, within 65 MB', () => {
    const abi = { linux: '-gnu', win32: '-msvc' }[process.platform as string] ?? '';
    const installed = readdirSync(join(project, 'node_modules', scope));
    expect(installed.sort()).toEqual(['core', `core-${process.platform}-${process.arch}${abi}`]);
    expect(readdirSync(join(project, 'node_modules'))).not.toContain('onnxruntime-node');
    // Linux x64's ONNX Runtime is the largest of the five; the aim of issue 25 is set on it.
    expect(sizeOf(join(project, 'node_modules')) / 1e6).toBeLessThan(65);
  });

  it('answers from an ES module', () => {
    writeFileSync(
      join(project, 'main.mjs'),
      `import { readFileSync } from 'node:fs';
import { createEngine } from '${scope}/core';
const engine = await createEngine();
const faces = await engine.analyze(readFileSync(process.argv[2]));
const dominant = await engine.dominantEmotion(readFileSync(process.argv[2]), { among: ['happy', 'sad'] });
console.log(JSON.stringify({ faces: faces.length, landmarks: faces[0]?.landmarks.length, emotions: faces[0]?.emotions.length, dominant }));
`,
    );
    const output = execFileSync('node', ['main.mjs', face], { cwd: project, env, encoding: 'utf8' });
    expect(JSON.parse(output.trim().split('\n').pop()!)).toEqual({
      faces: 1,
      landmarks: 468 * 3,
      emotions: 7,
      dominant: 'happy',
    });
  });

  it('answers from CommonJS require', () => {
    writeFileSync(
      join(project, 'main.cjs'),
      `const { readFileSync } = require('node:fs');
const { createEngine, RuntimeNotFoundError } = require('${scope}/core');
createEngine().then(async (engine) => {
  const dominant = await engine.dominantEmotion(readFileSync(process.argv[2]), { among: ['happy', 'sad'] });
  const wrong = await createEngine({ ortLibrary: '/no/such/libonnxruntime.so.1' }).catch((e) => e);
  console.log(JSON.stringify({ dominant, wrong: wrong instanceof RuntimeNotFoundError && wrong.message.includes('/no/such/') }));
});
`,
    );
    const output = execFileSync('node', ['main.cjs', face], { cwd: project, env, encoding: 'utf8' });
    expect(JSON.parse(output.trim().split('\n').pop()!)).toEqual({ dominant: 'happy', wrong: true });
  });

  it('type-checks under tsc --strict', () => {
    writeFileSync(
      join(project, 'main.ts'),
      `import { createEngine, EmotionError, type EmotionLabel, type Face } from '${scope}/core';
export async function moods(image: Uint8Array): Promise<EmotionLabel[]> {
  const engine = await createEngine({ minScore: 0.5 });
  try {
    const faces: Face[] = await engine.analyze(image);
    return faces.map((face) => face.emotion);
  } catch (error) {
    if (error instanceof EmotionError && error.isInputError) return [];
    throw error;
  }
}
`,
    );
    const tsc = join(repoRoot, 'packages/core/node_modules/typescript/bin/tsc');
    const types = join(repoRoot, 'packages/core/node_modules/@types');
    execFileSync(
      'node',
      [
        tsc,
        '--strict',
        '--noEmit',
        '--module',
        'nodenext',
        '--target',
        'es2022',
        '--typeRoots',
        types,
        '--types',
        'node',
        'main.ts',
      ],
      { cwd: project, stdio: 'pipe' },
    );
  });
});
