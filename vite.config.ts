import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { tfjsWasmThreadsSurviveMinification } from './tools/vite-tfjs-wasm-threads';

// Cross-origin isolation lets tfjs-wasm run threads (SharedArrayBuffer). Static hosts need the same two
// headers on every response (README, "Hosting").
const CROSS_ORIGIN_ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

// BASE sets the path the site is served under (e.g. BASE=/demo/ npm run build); the default "./" makes
// every asset URL relative, so dist/ works from any path.
export default defineConfig({
  base: process.env.BASE ?? './',
  plugins: [react()],
  // Missing files are 404s, not index.html: a missing model shard must read as missing.
  appType: 'mpa',
  // tfjs runs in the embedding worker, which Vite bundles with its own plugin list.
  worker: { format: 'es', plugins: () => [tfjsWasmThreadsSurviveMinification()] },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4000,
    rolldownOptions: {
      // The offline service worker is a second entry with a fixed name next to index.html, so that its
      // scope is the whole site (under any base path).
      input: { index: 'index.html', sw: 'src/worker/offline.sw.ts' },
      output: { entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js') },
    },
  },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true, headers: CROSS_ORIGIN_ISOLATION },
  server: { host: '127.0.0.1', headers: CROSS_ORIGIN_ISOLATION },
});
