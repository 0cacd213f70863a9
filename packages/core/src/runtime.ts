/**
 * Finds libonnxruntime inside the `onnxruntime-node` package this package depends on, so
 * the engine works wherever @emotion/core is installed, whatever the working directory.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const LIBRARY_NAMES: Partial<Record<NodeJS.Platform, string>> = {
  linux: 'libonnxruntime.so.1',
  darwin: 'libonnxruntime.1.dylib',
  win32: 'onnxruntime.dll',
};

/**
 * The library path to hand to the engine, or undefined to let the core search (it then
 * honours ORT_DYLIB_PATH and reports every place it looked if nothing is found).
 */
export function packagedRuntimeLibrary(): string | undefined {
  if (process.env.ORT_DYLIB_PATH) return undefined;
  const name = LIBRARY_NAMES[process.platform];
  if (!name) return undefined;
  let packageJson: string;
  try {
    packageJson = createRequire(import.meta.url).resolve('onnxruntime-node/package.json');
  } catch {
    return undefined;
  }
  const path = join(dirname(packageJson), 'bin', 'napi-v6', process.platform, process.arch, name);
  return existsSync(path) ? path : undefined;
}
