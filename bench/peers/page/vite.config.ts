// Builds the benchmark page (bundling transformers.js and our encoder) into .cache/bench/peers/page.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { tfjsWasmThreadsSurviveMinification } from '../../../tools/vite-tfjs-wasm-threads';

const here = path.dirname(fileURLToPath(import.meta.url));
export const PAGE_OUT_DIR = path.resolve(here, '../../../.cache/bench/peers/page');

// Minified like the app, with the same plugin that keeps tfjs-wasm's pthread workers working.
export default defineConfig({
  root: here,
  base: '/',
  logLevel: 'warn',
  plugins: [tfjsWasmThreadsSurviveMinification()],
  build: { outDir: PAGE_OUT_DIR, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4096 },
});
