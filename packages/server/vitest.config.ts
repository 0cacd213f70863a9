import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Also transform .cts (the CommonJS launcher's modules), which Vite leaves alone by default.
  esbuild: { include: /\.([cm]?ts|[jt]sx)$/ },
  test: {
    include: ['test/**/*.test.ts'],
    // The engine loads its models in beforeAll.
    hookTimeout: 60_000,
  },
});
