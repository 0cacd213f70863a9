import { defineConfig } from 'vite';

// `pnpm --filter @emotion/web dev` serves the page with hot reload and forwards the API to
// a server started with `pnpm start` (127.0.0.1:5000); `vite build` writes dist/, which the
// server serves at `/`.
export default defineConfig({
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  server: {
    proxy: {
      '/v1': 'http://127.0.0.1:5000',
      '/predict': 'http://127.0.0.1:5000',
      '/health': 'http://127.0.0.1:5000',
    },
  },
});
