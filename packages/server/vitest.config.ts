import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The engine loads its models in beforeAll.
    hookTimeout: 60_000,
  },
});
