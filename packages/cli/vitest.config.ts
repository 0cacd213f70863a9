import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Every test spawns the built CLI, which loads the models.
    testTimeout: 120_000,
  },
});
