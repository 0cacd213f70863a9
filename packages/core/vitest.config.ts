import { configDefaults, defineConfig } from 'vitest/config';

// The slow tier (packing and installing the package): CI runs it, `pnpm test:fast` (TEST_TIER=fast) leaves it out.
const SLOW = ['test/pack.test.ts'];

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...(process.env.TEST_TIER === 'fast' ? SLOW : [])],
    // Loading the models and the concurrency run take seconds on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One file at a time: each loads its own engine, and the machine has few cores.
    fileParallelism: false,
  },
});
