#!/usr/bin/env node
/**
 * Packs the packages as users install them: @emotion/core, one @emotion/core-<platform> package
 * per built addon (the addon plus ONNX Runtime's library from the pinned onnxruntime-node
 * tarball), @emotion/server, @emotion/web and @emotion/cli, each with LICENSE and NOTICE.
 *
 *   node scripts/pack.mjs --out DIR [--platform linux-arm64-gnu=path/to/emotion.node]... [--release]
 *
 * With no --platform, the host's local build (packages/core/native) is packed. --release gives the
 * packages their published names (scripts/release.json's npmScope, the one release setting): the
 * workspace keeps @emotion/*, which on the public registry belongs to the CSS-in-JS library Emotion.
 * Like napi-rs's `napi prepublish`, core's optionalDependencies on the platform packages are
 * written into its packed package.json, so the workspace never resolves them from a registry.
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WORKSPACE_SCOPE = '@emotion';
const PACKAGES = ['core', 'server', 'web', 'cli'];
/** ONNX Runtime's library inside onnxruntime-node, and the name the core looks for, per platform. */
const ORT_LIBRARY = {
  'linux-x64-gnu': ['linux/x64', 'libonnxruntime.so.1'],
  'linux-arm64-gnu': ['linux/arm64', 'libonnxruntime.so.1'],
  'darwin-arm64': ['darwin/arm64', 'libonnxruntime.1.dylib'],
  'win32-x64-msvc': ['win32/x64', 'onnxruntime.dll'],
  'win32-arm64-msvc': ['win32/arm64', 'onnxruntime.dll'],
};

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    platform: { type: 'string', multiple: true, default: [] },
    release: { type: 'boolean', default: false },
  },
});
if (!values.out) throw new Error('usage: pack.mjs --out DIR [--platform NAME=ADDON]... [--release]');
const out = resolve(values.out);
mkdirSync(out, { recursive: true });
const scope = values.release ? readJson(join(root, 'scripts/release.json')).npmScope : WORKSPACE_SCOPE;

const platforms = values.platform.length > 0 ? values.platform : [`${hostPlatform()}=`];
const tarballs = [];
for (const spec of platforms) {
  const [platform, addon] = spec.split('=');
  tarballs.push(packPlatform(platform, addon || join(root, `packages/core/native/emotion.${platform}.node`)));
}
for (const name of PACKAGES) tarballs.push(packWorkspacePackage(name));
for (const tarball of tarballs) console.log(tarball);

function packPlatform(platform, addon) {
  if (!ORT_LIBRARY[platform]) throw new Error(`no platform package for ${platform}`);
  if (!existsSync(addon)) throw new Error(`no addon at ${addon}: build it first`);
  const dir = join(root, 'packages/core/npm', platform);
  const [ortDir, ortFile] = ORT_LIBRARY[platform];
  const ortPackage = dirname(createRequire(join(root, 'package.json')).resolve('onnxruntime-node/package.json'));
  const ortVersion = readJson(join(ortPackage, 'package.json')).version;
  const pinned = readJson(join(dir, 'package.json')).emotion.onnxruntime.version;
  if (ortVersion !== pinned) throw new Error(`onnxruntime-node is ${ortVersion}, ${platform} pins ${pinned}`);
  copyFileSync(addon, join(dir, `emotion.${platform}.node`));
  copyFileSync(join(ortPackage, 'bin/napi-v6', ortDir, ortFile), join(dir, ortFile));
  copyFileSync(join(root, 'packages/core/npm/ONNXRUNTIME-LICENSE'), join(dir, 'ONNXRUNTIME-LICENSE'));
  copyLicences(dir);
  return finish(npmPack(dir, ['npm', 'pack']));
}

function packWorkspacePackage(name) {
  const dir = join(root, 'packages', name);
  copyLicences(dir);
  try {
    // pnpm turns workspace:* into the version.
    return finish(npmPack(dir, ['pnpm', 'pack']));
  } finally {
    rmSync(join(dir, 'LICENSE'));
    rmSync(join(dir, 'NOTICE'));
  }
}

function copyLicences(dir) {
  copyFileSync(join(root, 'LICENSE'), join(dir, 'LICENSE'));
  copyFileSync(join(root, 'NOTICE'), join(dir, 'NOTICE'));
}

function npmPack(dir, [command, ...args]) {
  const before = new Set(readdirSync(out));
  execFileSync(command, [...args, '--pack-destination', out], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
    shell: process.platform === 'win32', // npm and pnpm are .cmd files there
  });
  const made = readdirSync(out).filter((f) => f.endsWith('.tgz') && !before.has(f));
  if (made.length !== 1) throw new Error(`packing ${dir} made ${made.length} tarballs`);
  return join(out, made[0]);
}

/** Adds core's optionalDependencies and, for a release, renames the scope everywhere. */
function finish(tarball) {
  const isCore = basename(tarball) === `${WORKSPACE_SCOPE.slice(1)}-core-${version()}.tgz`;
  if (!isCore && scope === WORKSPACE_SCOPE) return tarball;
  const work = mkdtempSync(join(tmpdir(), 'emotion-pack-'));
  try {
    execFileSync('tar', ['xzf', tarball, '-C', work]);
    const manifestPath = join(work, 'package/package.json');
    const manifest = readJson(manifestPath);
    if (isCore) {
      manifest.optionalDependencies = Object.fromEntries(
        Object.keys(ORT_LIBRARY).map((p) => [`${WORKSPACE_SCOPE}/core-${p}`, manifest.version]),
      );
    }
    if (scope !== WORKSPACE_SCOPE) renameScope(join(work, 'package'), manifest);
    writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    rmSync(tarball);
    const name = `${manifest.name.replace('@', '').replace('/', '-')}-${manifest.version}.tgz`;
    const result = join(out, name);
    execFileSync('tar', ['czf', result, '-C', work, 'package']);
    return result;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Our names in the manifest, and the module specifiers and messages in the built code. */
function renameScope(dir, manifest) {
  const rename = (name) => (name.startsWith(`${WORKSPACE_SCOPE}/`) ? `${scope}/${name.slice(9)}` : name);
  manifest.name = rename(manifest.name);
  for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies']) {
    if (manifest[field])
      manifest[field] = Object.fromEntries(Object.entries(manifest[field]).map(([k, v]) => [rename(k), v]));
  }
  const specifier = /([`'"])@emotion\/(core|server|web|cli)\b/g;
  for (const file of walk(dir)) {
    if (!/\.(c|m)?js$|\.d\.(c|m)?ts$|README\.md$/.test(file)) continue;
    const text = readFileSync(file, 'utf8');
    const renamed = text.replace(specifier, `$1${scope}/$2`);
    if (renamed !== text) writeFileSync(file, renamed);
  }
}

function* walk(dir) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}

function hostPlatform() {
  const { platform, arch } = process;
  if (platform === 'linux')
    return `linux-${arch}-${process.report.getReport().header.glibcVersionRuntime ? 'gnu' : 'musl'}`;
  if (platform === 'win32') return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

function version() {
  return readJson(join(root, 'packages/core/package.json')).version;
}

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}
