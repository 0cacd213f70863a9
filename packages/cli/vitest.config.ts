import { configDefaults, defineConfig } from 'vitest/config';

// The slow tier (the built CLI spawned, packed and installed): CI runs it, `pnpm test:fast` (TEST_TIER=fast) leaves it out.
const SLOW = ['test/pack.test.ts', 'test/cli.test.ts', 'test/fleet.test.ts', 'test/video.test.ts'];

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...(process.env.TEST_TIER === 'fast' ? SLOW : [])],
    // The slow tier's tests spawn the built CLI, which loads the models.
    testTimeout: 120_000,
  },
});
