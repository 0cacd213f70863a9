/**
 * Loads the addon `napi build --platform` put in ../native, named after the platform so that
 * builds for several platforms can sit side by side.
 */
import { createRequire } from 'node:module';

import type { NativeEngine as NativeEngineClass } from '../native/index.js';

export type { EngineOptions as NativeEngineOptions, NativeFace } from '../native/index.js';
export type NativeEngine = NativeEngineClass;

interface Addon {
  NativeEngine: typeof NativeEngineClass;
}

const require = createRequire(import.meta.url);
let addon: Addon | undefined;

export function loadAddon(): Addon {
  addon ??= require(`../native/emotion.${platformTriple()}.node`) as Addon;
  return addon;
}

/** The suffix napi-rs gives binaries: linux-x64-gnu, darwin-arm64, win32-x64-msvc… */
function platformTriple(): string {
  const { platform, arch } = process;
  if (platform === 'linux') return `linux-${arch}-${isMusl() ? 'musl' : 'gnu'}`;
  if (platform === 'win32') return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

function isMusl(): boolean {
  // glibc reports its version in the process report; musl does not.
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return !report?.header?.glibcVersionRuntime;
}
