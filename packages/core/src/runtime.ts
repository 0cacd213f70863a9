/**
 * Where the Rust core should look for `onnxruntime-node`: this package's own folder, from
 * which it walks up through the `node_modules` folders as Node's resolution does, so the
 * library is found wherever @emotion/core is installed. Only the core knows the library's
 * file name and place inside that package.
 */
import { fileURLToPath } from 'node:url';

export function runtimeSearchRoot(): string {
  return fileURLToPath(new URL('..', import.meta.url));
}
