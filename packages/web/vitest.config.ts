import { configDefaults, defineConfig } from 'vitest/config';

// The slow tier (the real server and Chromium): CI runs it, `pnpm test:fast` (TEST_TIER=fast) leaves it out.
const SLOW = ['test/e2e.test.ts', 'test/api-key.test.ts', 'test/video-file.test.ts'];

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...(process.env.TEST_TIER === 'fast' ? SLOW : [])],
    // The browser test starts the server (models load) and Chromium.
    hookTimeout: 60_000,
    testTimeout: 60_000,
  },
});
