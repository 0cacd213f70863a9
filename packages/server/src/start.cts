/**
 * The server's entry (`pnpm start`, the container's command): runs main.js.
 *
 * It once had to size libuv's thread pool (UV_THREADPOOL_SIZE) before anything touched it,
 * since inference ran there. The engine now runs on threads of its own (INFERENCE_THREADS,
 * default: the CPUs this process may use, its CPU quota counted; config.ts), so there is nothing
 * left to do before main.js; the entry stays so that every command that names it keeps working.
 */
import('./main.js').catch((error: unknown) => {
  console.error('emotion server: failed to start:', error);
  process.exit(1);
});
