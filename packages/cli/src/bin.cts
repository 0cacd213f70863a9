#!/usr/bin/env node
/**
 * The `emotion` command's entry. CommonJS on purpose: it must set RUST_MIN_STACK before the
 * engine's first thread starts, and an ES module entry loads the engine's addon first.
 */

// ONNX Runtime 1.30's start-up (on the engine's loading thread) needs stack in proportion to
// the process's command line, measured at 200-360 bytes per byte of arguments: `emotion analyze
// *.jpg` over a few hundred photos overflowed the 2 MB a Rust thread gets (SIGSEGV, no message).
// Rust's threads take their size from RUST_MIN_STACK, read when the first one starts; 512 bytes
// per byte is asked (address space, committed only as used: 190 MB for all 7,229 faces-224 paths).
const argumentBytes = process.argv.reduce((sum, arg) => sum + Buffer.byteLength(arg) + 1, 0);
if (!process.env.RUST_MIN_STACK && argumentBytes > 4 * 1024) {
  process.env.RUST_MIN_STACK = String(Math.max(8 << 20, argumentBytes * 512));
}

import('./cli.js')
  .then(({ main }) => main(process.argv))
  .catch((error: unknown) => {
    console.error('emotion:', error instanceof Error ? error.message : error);
    process.exit(1);
  });
