import { configDefaults, defineConfig } from 'vitest/config';

// The slow tier (real server processes, the seed's Python client, the docs page in Chromium): CI runs it, `pnpm test:fast` (TEST_TIER=fast) leaves it out.
const SLOW = [
  'test/process.test.ts',
  'test/overload.test.ts',
  'test/seed-client.test.ts',
  'test/docs-browser.test.ts',
  'test/stream.test.ts',
  'test/hostile.test.ts',
  'test/timeouts.test.ts',
  'test/budgets.test.ts',
  'test/stream-hostile.test.ts',
  'test/image-limit.test.ts',
];

export default defineConfig({
  // Also transform .cts (the CommonJS launcher's modules), which Vite leaves alone by default.
  esbuild: { include: /\.([cm]?ts|[jt]sx)$/ },
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...(process.env.TEST_TIER === 'fast' ? SLOW : [])],
    // The engine loads its models in beforeAll.
    hookTimeout: 60_000,
  },
});
