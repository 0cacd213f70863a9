import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Loading the models and the concurrency run take seconds on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One file at a time: the event-loop test measures timing and must not share the CPUs.
    fileParallelism: false,
  },
});
