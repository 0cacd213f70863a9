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

import('./cli.js')
  .then(({ main }) => main(process.argv))
  .catch((error: unknown) => {
    console.error('emotion:', error instanceof Error ? error.message : error);
    process.exit(1);
  });
