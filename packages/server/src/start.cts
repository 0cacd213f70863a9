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
 */
import { availableParallelism } from 'node:os';

process.env.UV_THREADPOOL_SIZE = process.env.INFERENCE_THREADS || String(availableParallelism());

import('./main.js').catch((error: unknown) => {
  console.error('emotion server: failed to start:', error);
  process.exit(1);
});
