// The benchmark page: loads our encoder and/or transformers.js on the backends named by the driver
// (bench/peers/run.ts, and bench/encoder.ts for our encoder alone) and exposes `window.peerBench` for it.
// Every timing is taken here, in the page, so that the driver's round trips are not part of it.
// `?cold=IMPL:BACKEND&text=...` instead loads one implementation at page start and records the time from
// navigation start to its first embedding.
import { env, pipeline, type FeatureExtractionPipeline } from '@huggingface/transformers';
import * as tf from '@tensorflow/tfjs';
import { loadEncoder, tfjsBackendEnvironment, type BertEncoder } from '../../../src/encoder';
import { paddedTo } from '../../workloads';
import { MODEL_URLS, type RunnerKey } from './protocol';

interface Runner {
  embed(texts: string[]): Promise<Float32Array[]>;
  tokenIds(texts: string[]): number[][];
  dispose(): Promise<void>;
}

const base = new URL('/', location.href);
/** Our loaded encoders by runner key, for bench:encoder's workloads (default pooling, TF Hub padding). */
const ourEncoders = new Map<RunnerKey, BertEncoder>();

async function loadOurs(backend: 'wasm' | 'webgl' | 'webgpu'): Promise<Runner> {
  const encoder = await loadEncoder(new URL(MODEL_URLS.ours, base), { backend, wasmPaths: new URL(MODEL_URLS.tfjsWasm, base).href });
  if (encoder.info.backend !== backend) throw new Error(`our encoder asked for ${backend} but runs on ${encoder.info.backend}: ${encoder.info.backendReason}`);
  ourEncoders.set(`ours:${backend}`, encoder);
  return {
    embed: async (texts) => (await encoder.embed(texts, { pooling: 'mean' })).map((embedding) => embedding.vector),
    tokenIds: (texts) => encoder.tokenize(texts).map((encoding) => encoding.inputWordIds),
    dispose: async () => encoder.dispose(),
  };
}

function configureTransformersJs(): void {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  // A path, not a full URL: transformers.js only probes local files (tokenizer.json...) on non-URL paths.
  env.localModelPath = MODEL_URLS.theirsRoot;
  const onnx = env.backends.onnx as { wasm?: { wasmPaths?: unknown; numThreads?: number } };
  if (onnx.wasm === undefined) throw new Error('transformers.js exposes no onnxruntime-web wasm settings');
  // onnxruntime-web's own default is half the logical cores (1 here); when threads are possible at all,
  // it gets all of them, as our encoder takes both cores of a 2-core machine (src/encoder/backend.ts).
  if (crossOriginIsolated) onnx.wasm.numThreads = navigator.hardwareConcurrency;
  // The asyncify build is what transformers.js fetches from a CDN by default; here it comes from 127.0.0.1.
  onnx.wasm.wasmPaths = {
    mjs: new URL(`${MODEL_URLS.ortWasm}ort-wasm-simd-threaded.asyncify.mjs`, base).href,
    wasm: new URL(`${MODEL_URLS.ortWasm}ort-wasm-simd-threaded.asyncify.wasm`, base).href,
  };
}

async function loadTheirs(device: 'wasm' | 'webgpu'): Promise<Runner> {
  configureTransformersJs();
  const extractor = (await pipeline('feature-extraction', MODEL_URLS.theirsName, { device, dtype: 'fp32' })) as FeatureExtractionPipeline;
  return {
    async embed(texts) {
      const output = await extractor(texts, { pooling: 'mean' });
      const [rows, hidden] = output.dims;
      const data = output.data as Float32Array;
      return Array.from({ length: rows }, (_, row) => data.slice(row * hidden, (row + 1) * hidden));
    },
    tokenIds(texts) {
      return texts.map((text) => (extractor.tokenizer(text).input_ids.tolist() as bigint[][])[0].map(Number));
    },
    dispose: () => extractor.dispose(),
  };
}

function load(key: RunnerKey): Promise<Runner> {
  const [impl, backend] = key.split(':') as ['ours' | 'theirs', string];
  if (impl === 'ours') return loadOurs(backend as 'wasm' | 'webgl' | 'webgpu');
  return loadTheirs(backend as 'wasm' | 'webgpu');
}

const runners = new Map<RunnerKey, Runner>();
let matMulOperands: [tf.Tensor, tf.Tensor] | undefined;

function runner(key: RunnerKey): Runner {
  const found = runners.get(key);
  if (found === undefined) throw new Error(`${key} is not loaded in this page; loaded: ${[...runners.keys()].join(', ') || 'none'}`);
  return found;
}

const peerBench = {
  async load(key: RunnerKey): Promise<number> {
    const start = performance.now();
    runners.set(key, await load(key));
    return performance.now() - start;
  },
  /** Milliseconds for one embed() call of `texts`. */
  async time(key: RunnerKey, texts: string[]): Promise<number> {
    const start = performance.now();
    await runner(key).embed(texts);
    return performance.now() - start;
  },
  async vectors(key: RunnerKey, texts: string[]): Promise<number[][]> {
    return (await runner(key).embed(texts)).map((vector) => Array.from(vector));
  },
  tokenIds: (key: RunnerKey, texts: string[]) => runner(key).tokenIds(texts),
  /**
   * Milliseconds for our encoder to embed `texts` with its default pooling, tokenized beforehand and
   * padded to `padTo` positions when given (bench/encoder.ts's workloads).
   */
  async timeOurs(key: RunnerKey, texts: string[], padTo?: number): Promise<number> {
    const encoder = ourEncoders.get(key);
    if (encoder === undefined) throw new Error(`${key} is not one of our loaded encoders`);
    const encodings = encoder.tokenize(texts).map((encoding) => (padTo === undefined ? encoding : paddedTo(encoding, padTo)));
    const start = performance.now();
    await encoder.embedEncodings(encodings);
    return performance.now() - start;
  },
  /** What renders WebGL and WebGPU in this browser (software or a GPU). */
  async gpuDescription(): Promise<string> {
    const environment = tfjsBackendEnvironment(tf);
    const gl = environment.probeWebGl();
    const gpu = await environment.probeWebGpu();
    const webgl = gl.available ? `WebGL: ${gl.renderer}${gl.software ? ' (software)' : ''}` : `no WebGL (${gl.why})`;
    const webgpu = gpu.available ? `WebGPU: ${gpu.description}${gpu.fallbackAdapter ? ' (fallback adapter)' : ''}` : `no WebGPU (${gpu.why})`;
    return `${webgl}; ${webgpu}`;
  },
  ourInfo: (key: RunnerKey) => {
    const info = ourEncoders.get(key)?.info;
    return info && { backend: info.backend, backendReason: info.backendReason, threads: info.threads };
  },
  /**
   * tfjs's matMul rate on the active backend, [128,768]x[768,3072] (BERT-base's FFN at 128 tokens), over
   * `runs` runs: from the fastest (the floor's rate) and from their median. The operands are kept between
   * calls (tfjs-wasm packs the weights once per operand), so that short calls can take turns with other work.
   */
  async matMulRate(runs = 9): Promise<{ backend: string; bestGflops: number; medianGflops: number }> {
    const [m, k, n] = [128, 768, 3072];
    if (matMulOperands === undefined) {
      matMulOperands = [tf.randomNormal([m, k]), tf.randomNormal([k, n])];
      for (let warmUp = 0; warmUp < 2; warmUp++) tf.matMul(...matMulOperands).dispose();
    }
    const times: number[] = [];
    for (let run = 0; run < runs; run++) {
      const start = performance.now();
      const product = tf.matMul(...matMulOperands);
      await product.data();
      times.push(performance.now() - start);
      product.dispose();
    }
    times.sort((x, y) => x - y);
    const gflops = (ms: number) => (2 * m * k * n) / ms / 1e6;
    return { backend: tf.getBackend(), bestGflops: gflops(times[0]), medianGflops: gflops(times[times.length >> 1]) };
  },
  /** Whether wasm threads are possible here, and how many each side uses. */
  threads: async () => ({
    crossOriginIsolated,
    hardwareConcurrency: navigator.hardwareConcurrency,
    tfjsMultithreadSupport: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
    tfjsWasm: tf.getBackend() === 'wasm' ? (await import('@tensorflow/tfjs-backend-wasm')).getThreadsCount() : undefined,
    onnxRuntimeWeb: (env.backends.onnx as { wasm?: { numThreads?: number } }).wasm?.numThreads,
  }),
  usedJsHeapBytes: () => (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize,
};

declare global {
  interface Window {
    peerBench: typeof peerBench;
    /** Cold-start pages: navigation start to first embedding (ms), or the error that stopped it. */
    coldStart?: { ms: number } | { error: string };
  }
}

window.peerBench = peerBench;

const params = new URLSearchParams(location.search);
const coldKey = params.get('cold') as RunnerKey | null;
const status = document.getElementById('status');
if (coldKey !== null) {
  const text = params.get('text') ?? '';
  load(coldKey)
    .then(async (loaded) => {
      await loaded.embed([text]);
      window.coldStart = { ms: performance.now() };
      runners.set(coldKey, loaded);
    })
    .catch((error: unknown) => {
      window.coldStart = { error: error instanceof Error ? `${error.message}\n${error.stack}` : String(error) };
    });
}
if (status) status.textContent = 'ready';
