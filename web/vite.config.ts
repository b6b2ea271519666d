import { defineConfig } from 'vite';

// The dashboard is a static bundle served by `emp start`; it talks to the server only over
// the public HTTP/WebSocket API, and imports the project's pure analytics for client-side overlays.
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  server: { proxy: { '/api': 'http://127.0.0.1:8080', '/ws': { target: 'ws://127.0.0.1:8080', ws: true } } },
});
