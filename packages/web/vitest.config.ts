import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The browser test starts the server (models load) and Chromium.
    hookTimeout: 60_000,
    testTimeout: 60_000,
  },
});
