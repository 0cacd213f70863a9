/**
 * The server's entry (`pnpm start`): sizes libuv's thread pool, then runs main.js.
 *
 * Inference runs on libuv's thread pool, one inference per thread, so the pool's size is how
 * many run at once; it should be INFERENCE_THREADS (default: every CPU). libuv reads
 * UV_THREADPOOL_SIZE once, when the pool starts, i.e. at the first async fs, dns, crypto or
 * napi work. An ES module cannot set it in time: Node 20 loads ES modules with async fs reads,
 * so the pool has started (with its default 4 threads) before any line of main.js runs.
 * This file is CommonJS, loaded synchronously, so nothing has touched the pool yet when it
 * sets the variable. An invalid INFERENCE_THREADS is copied as is and main.js rejects it.
 * Unset, it becomes the cgroup's CPU quota where one is set (a container's CPU limit), else
 * every CPU; the choice is written back to INFERENCE_THREADS so main.js sizes its queue alike.
 */
import { availableParallelism } from 'node:os';

import { readCpuQuota, threadsForQuota } from './cpu-quota.cjs';

if (!process.env.INFERENCE_THREADS) {
  const cores = availableParallelism();
  const quota = readCpuQuota();
  const threads = quota ? threadsForQuota(quota, cores) : cores;
  console.log(
    quota
      ? `emotion server: CPU quota ${quota.cpus} CPUs (${quota.source}), ${cores} cores: ${threads} inference threads`
      : `emotion server: no CPU quota, ${cores} cores: ${threads} inference threads`,
  );
  process.env.INFERENCE_THREADS = String(threads);
}
process.env.UV_THREADPOOL_SIZE = process.env.INFERENCE_THREADS;

import('./main.js').catch((error: unknown) => {
  console.error('emotion server: failed to start:', error);
  process.exit(1);
});
