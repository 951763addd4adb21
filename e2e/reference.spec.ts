// The encoder's proof in the browser: the PyTorch-checked reference fixtures (tools/reference), converted
// by the web server, give the Node encoder's vectors on webgl, webgpu and wasm through the app's own
// worker (OffscreenCanvas WebGL / WebGPU in a module worker), for every pooling.
import path from 'node:path';
import { loadEncoder } from '../src/encoder/node';
import type { BackendName, Pooling } from '../src/encoder/types';
import { REFERENCE_MODELS } from '../tools/reference/fixtures';
import { E2E_REFERENCE_DIR } from './paths';
import { expect, openApp, test } from './fixtures';

const TOLERANCE = 1e-4;
const POOLINGS: Pooling[] = ['pooled', 'mean', 'cls'];
// One batch: lengths differ (the short ones are padded next to the long one), with accents and CJK.
const SENTENCES = [
  'Hello world',
  'The quick brown fox jumps over the lazy dog, and then it runs far away into the forest.',
  'Crème brûlée, naïve café — ÉCOLE!',
  '東京は日本の首都です。',
];

interface BrowserResult {
  backend: BackendName;
  threads: number;
  vectors: Record<Pooling, number[][]>;
}

function maxAbsDifference(actual: number[][], expected: Float32Array[]): number {
  expect(actual.map((v) => v.length)).toEqual(expected.map((v) => v.length));
  return Math.max(...expected.flatMap((vector, i) => Array.from(vector, (x, h) => Math.abs(x - actual[i][h]))));
}

for (const backend of ['webgl', 'webgpu', 'wasm'] as const) {
  test(`the reference fixtures give the Node encoder's vectors on ${backend} in the worker`, async ({ page }) => {
    await openApp(page, { backend });
    for (const fixture of REFERENCE_MODELS) {
      const url = new URL(`reference/${fixture}/model.json`, page.url()).href;
      const inBrowser: BrowserResult = await page.evaluate(
        async ({ url, backend, texts, poolings }) => {
          const loaded = await window.bertWorker.call('load', { source: { kind: 'url', url }, backend }).promise;
          const vectors: Partial<Record<Pooling, number[][]>> = {};
          for (const pooling of poolings) {
            const embedded = await window.bertWorker.call('embed', { texts, options: { pooling, normalize: false } }).promise;
            vectors[pooling] = embedded.vectors.map((v) => Array.from(v));
          }
          return { backend: loaded.info.backend, threads: loaded.info.threads, vectors: vectors as Record<Pooling, number[][]> };
        },
        { url, backend, texts: SENTENCES, poolings: POOLINGS },
      );
      // A silent fallback to another backend must not pass as this one.
      expect(inBrowser.backend, `${fixture}: backend in use`).toBe(backend);
      if (backend === 'wasm') {
        // The site is served cross-origin isolated, so wasm computes on tfjs-wasm's threaded build.
        const cores = await page.evaluate(() => (crossOriginIsolated ? navigator.hardwareConcurrency : 0));
        expect(cores, 'the site is cross-origin isolated').toBeGreaterThan(0);
        expect(inBrowser.threads, `${fixture}: wasm threads on ${cores} logical cores`).toBeGreaterThanOrEqual(Math.min(2, cores));
      }

      const inNode = await loadEncoder(path.join(E2E_REFERENCE_DIR, fixture), { backend: 'cpu' });
      try {
        for (const pooling of POOLINGS) {
          const expected = (await inNode.embed(SENTENCES, { pooling, normalize: false })).map((e) => e.vector);
          const difference = maxAbsDifference(inBrowser.vectors[pooling], expected);
          test.info().annotations.push({ type: 'max abs difference', description: `${fixture} ${pooling} on ${backend}: ${difference.toExponential(2)}` });
          expect(difference, `${fixture} ${pooling}: max |browser - node|`).toBeLessThanOrEqual(TOLERANCE);
        }
      } finally {
        inNode.dispose();
      }
    }
  });
}
