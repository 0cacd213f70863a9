/**
 * Where the Rust core should look for ONNX Runtime: the folder the addon came from, where its
 * platform package keeps libonnxruntime (a development checkout falls back, in the core, to
 * `onnxruntime-node` under node_modules). Only the core knows the library's file name.
 */
import { addonDirectory } from './native.js';

export function runtimeSearchRoot(): string {
  return addonDirectory();
}
