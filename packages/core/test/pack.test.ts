/**
 * The package as a user gets it: packed under its published name (scripts/pack.mjs --release),
 * published to a registry on loopback, and installed by name into fresh projects outside the
 * workspace with plain `npm install`, `pnpm add` and `yarn add` (install scripts on, no flags, no
 * overrides); used there from an ES module, a CommonJS script, a `tsc --strict` file and an
 * esbuild bundle, finding its addon and ONNX Runtime in the platform package by itself.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { facesDir, repoRoot } from '@emotion/test-support';

import { type LocalRegistry, startRegistry } from './local-registry.js';

const scope = (JSON.parse(readFileSync(join(repoRoot, 'scripts/release.json'), 'utf8')) as { npmScope: string })
  .npmScope;
const execAsync = promisify(execFile);
const workDir = mkdtempSync(join(tmpdir(), 'emotion-pack-'));
const project = join(workDir, 'app');
const face = join(facesDir, 'happy/45952868.jpg');
const abi = { linux: '-gnu', win32: '-msvc' }[process.platform as string] ?? '';
const hostPackage = `core-${process.platform}-${process.arch}${abi}`;
let registry: LocalRegistry;
afterAll(async () => {
  await registry?.close();
  rmSync(workDir, { recursive: true, force: true });
});

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
// The package managers' own settings only: pnpm, running this test, exports npm_config_* (the
// registry among them), which would outrank each project's .npmrc.
const env = Object.fromEntries(
  Object.entries(process.env).filter(
    ([name]) => !/^(npm_config_|yarn_|ORT_DYLIB_PATH$|EMOTION_NATIVE_PATH$)/i.test(name),
  ),
);

/** A fresh project whose registry is the loopback one. */
function newProject(dir: string, manifest: object = {}): string {
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', private: true, ...manifest }));
  writeFileSync(join(dir, '.npmrc'), `registry=${registry.url}/\n`);
  return dir;
}

/**
 * The script a user would write first, as an ES module (without top-level await, so that esbuild
 * can bundle it as CommonJS too); prints the answer as one JSON line.
 */
function writeFirstScript(dir: string): void {
  writeFileSync(
    join(dir, 'main.mjs'),
    `import { readFileSync } from 'node:fs';
import { createEngine } from '${scope}/core';
createEngine().then(async (engine) => {
  const image = readFileSync(process.argv[2]);
  const faces = await engine.analyze(image);
  const dominant = await engine.dominantEmotion(image, { among: ['happy', 'sad'] });
  console.log(JSON.stringify({ faces: faces.length, landmarks: faces[0]?.landmarks.length, emotions: faces[0]?.emotions.length, dominant }));
});
`,
  );
}

function runEsModule(dir: string): unknown {
  writeFirstScript(dir);
  return lastJsonLine(execFileSync('node', ['main.mjs', face], { cwd: dir, env, encoding: 'utf8' }));
}

function lastJsonLine(output: string): unknown {
  return JSON.parse(output.trim().split('\n').pop()!);
}

const requireFromCore = createRequire(join(repoRoot, 'packages/core/package.json'));
const rootPackageManager = (
  JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { packageManager: string }
).packageManager;
const expectedAnswer = { faces: 1, landmarks: 468 * 3, emotions: 7, dominant: 'happy' };

beforeAll(async () => {
  const out = join(workDir, 'tarballs');
  // Asynchronous, so that vitest's worker keeps answering while npm works for a minute.
  await execAsync('node', [join(repoRoot, 'scripts/pack.mjs'), '--release', '--out', out]);
  for (const file of readdirSync(out).filter((f) => !/-core-(\d|linux|darwin|win32)/.test(f))) rmSync(join(out, file));
  // The platforms not built here, as their manifests will be published.
  const platformsDir = join(repoRoot, 'packages/core/npm');
  const manifests = readdirSync(platformsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => JSON.parse(readFileSync(join(platformsDir, entry.name, 'package.json'), 'utf8')))
    .map((manifest) => ({ ...manifest, name: manifest.name.replace(/^@emotion\//, `${scope}/`) }));
  registry = await startRegistry(out, manifests);

  newProject(project);
  const started = performance.now();
  await execAsync('npm', ['install', '--no-audit', '--no-fund', `${scope}/core`], {
    cwd: project,
    env: { ...env, npm_config_cache: join(workDir, 'npm-cache') },
    shell,
  });
  const megabytes = sizeOf(join(project, 'node_modules')) / 1e6;
  console.log(
    `${scope}/core installed: ${megabytes.toFixed(1)} MB in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}, 300_000);

describe('the package installed by name with plain npm', () => {
  it('brings its platform package and no onnxruntime-node, within 65 MB, downloading no other platform', () => {
    const installed = readdirSync(join(project, 'node_modules', scope));
    expect(installed.sort()).toEqual(['core', hostPackage]);
    expect(registry.downloads.map((file) => file.replace(/-\d+\.\d+\.\d+\.tgz$/, '')).sort()).toEqual([
      `${scope.slice(1)}-core`,
      `${scope.slice(1)}-${hostPackage}`,
    ]);
    expect(readdirSync(join(project, 'node_modules'))).not.toContain('onnxruntime-node');
    // Linux x64's ONNX Runtime is the largest of the five; the aim of issue 25 is set on it.
    expect(sizeOf(join(project, 'node_modules')) / 1e6).toBeLessThan(65);
  });

  it('answers from an ES module', () => {
    expect(runEsModule(project)).toEqual(expectedAnswer);
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
    expect(lastJsonLine(output)).toEqual({ dominant: 'happy', wrong: true });
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

  it('answers from an esbuild bundle, ES module or CommonJS, with node_modules beside it', () => {
    const esbuild = join(dirname(requireFromCore.resolve('esbuild/package.json')), 'bin/esbuild');
    writeFirstScript(project);
    const answers = ['esm', 'cjs'].map((format) => {
      const bundle = `dist/app.${format === 'esm' ? 'mjs' : 'cjs'}`;
      // Only the JavaScript is inlined: the addon is required at run time from node_modules.
      const options = ['--bundle', '--platform=node', `--format=${format}`, `--outfile=${bundle}`];
      execFileSync(esbuild, ['main.mjs', ...options], { cwd: project, stdio: 'pipe' });
      return lastJsonLine(execFileSync('node', [bundle, face], { cwd: project, env, encoding: 'utf8' }));
    });
    expect(answers).toEqual([expectedAnswer, expectedAnswer]);
  });
});

describe('the package installed by name with other package managers', () => {
  it('pnpm add', async () => {
    const dir = newProject(join(workDir, 'pnpm-app'), { packageManager: rootPackageManager });
    await execAsync('pnpm', ['add', `${scope}/core`, '--store-dir', join(workDir, 'pnpm-store')], {
      cwd: dir,
      env,
      shell,
    });
    const stored = readdirSync(join(dir, 'node_modules/.pnpm')).filter((name) => name.startsWith(`${scope}+`));
    expect(stored.map((name) => name.replace(/@[\d.]+$/, '')).sort()).toEqual([
      `${scope}+core`,
      `${scope}+${hostPackage}`,
    ]);
    expect(runEsModule(dir)).toEqual(expectedAnswer);
  }, 300_000);

  it('yarn add (yarn 1)', async () => {
    const dir = newProject(join(workDir, 'yarn-app'));
    const yarn = join(dirname(requireFromCore.resolve('yarn/package.json')), 'bin/yarn.js');
    await execAsync(
      'node',
      [yarn, 'add', `${scope}/core`, '--non-interactive', '--cache-folder', join(workDir, 'yarn-cache')],
      { cwd: dir, env },
    );
    expect(readdirSync(join(dir, 'node_modules', scope)).sort()).toEqual(['core', hostPackage]);
    expect(runEsModule(dir)).toEqual(expectedAnswer);
  }, 300_000);
});
