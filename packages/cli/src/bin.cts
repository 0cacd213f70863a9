#!/usr/bin/env node
/**
 * The `emotion` command's entry. CommonJS on purpose, like the server's start.cjs: inferences run
 * on libuv's thread pool, whose size libuv reads once when the pool starts, and an ES module
 * entry would start it (async fs reads while loading) before it could set UV_THREADPOOL_SIZE.
 */
import { availableParallelism } from 'node:os';

import { readCpuQuota, threadsForQuota } from '@emotion/server/cpu-quota';

// As the server's start.cjs: INFERENCE_THREADS, else a container's CPU quota, else every CPU.
if (!process.env.INFERENCE_THREADS) {
  const quota = readCpuQuota();
  process.env.INFERENCE_THREADS = String(
    quota ? threadsForQuota(quota, availableParallelism()) : availableParallelism(),
  );
}
process.env.UV_THREADPOOL_SIZE = process.env.INFERENCE_THREADS;

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
