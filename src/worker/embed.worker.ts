/// <reference lib="webworker" />
// The embedding worker: loads the model, tokenizes and runs inference off the page's main thread.
// Requests run one at a time in arrival order; `cancel` acts at once, so stale work is skipped before
// it starts, and corpus indexing stops between batches.
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { fileListModelFiles, loadEncoder, urlModelFiles, type EmbedOptions, type Encoder } from '../encoder';
import { rankByCosine } from '../analysis/similarity';
import { cachingFetch } from './model-cache';
import { MAX_CORPUS_LINES, type CallType, type Calls, type ModelSourceSpec, type WorkerRequest, type WorkerResponse } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

// The .wasm files are bundled with the site (no request leaves the origin). The threaded one is used
// when the page is cross-origin isolated (vite.config.ts makes its workers survive minification).
const WASM_PATHS = {
  'tfjs-backend-wasm.wasm': wasmUrl,
  'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
};

const PROGRESS_INTERVAL_MS = 100;

let encoder: Encoder | undefined;
let corpus: { vectors: Float32Array[]; options: EmbedOptions } | undefined;
/** Ids of requests queued or running, and those among them that were cancelled. */
const active = new Set<number>();
const cancelled = new Set<number>();
let queue: Promise<void> = Promise.resolve();

type Handler<K extends CallType> = (
  request: Calls[K]['request'],
  context: { id: number; progress(value: Calls[K]['progress']): void },
) => Promise<{ result: Calls[K]['result']; transfer?: Transferable[] }>;

class Cancelled extends Error {}

function post(message: WorkerResponse, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

function requireEncoder(): Encoder {
  if (!encoder) throw new Error('No model is loaded yet: load a model first (the page does this on start).');
  return encoder;
}

/** Distinct buffers behind the vectors (several vectors may share one), for a zero-copy transfer. */
function buffersOf(vectors: Float32Array[]): Transferable[] {
  return [...new Set(vectors.map((v) => v.buffer as ArrayBuffer))];
}

function modelFiles(source: ModelSourceSpec) {
  return source.kind === 'files' ? fileListModelFiles(source.files) : urlModelFiles(source.url, { fetch: cachingFetch() });
}

const handlers: { [K in CallType]: Handler<K> } = {
  async load({ source, backend }, { progress }) {
    encoder?.dispose();
    encoder = undefined;
    corpus = undefined;
    let lastPost = 0;
    encoder = await loadEncoder(modelFiles(source), {
      backend,
      wasmPaths: WASM_PATHS,
      onProgress(value) {
        const now = performance.now();
        if (now - lastPost >= PROGRESS_INTERVAL_MS || value.loadedBytes === value.totalBytes) {
          lastPost = now;
          progress(value);
        }
      },
    });
    return { result: { info: encoder.info } };
  },

  async tokenize({ texts }) {
    return { result: { encodings: requireEncoder().tokenize(texts) } };
  },

  async embed({ texts, options }) {
    const start = performance.now();
    const embeddings = texts.length === 0 ? [] : await requireEncoder().embed(texts, options);
    const vectors = embeddings.map((e) => e.vector);
    const encodings = embeddings.map((e) => e.encoding);
    const tokens = encodings.reduce((sum, e) => sum + e.inputMask.reduce((a, b) => a + b, 0), 0);
    return { result: { vectors, encodings, timing: { ms: performance.now() - start, tokens } }, transfer: buffersOf(vectors) };
  },

  async indexCorpus({ lines, options, batchSize }, { id, progress }) {
    if (lines.length > MAX_CORPUS_LINES) {
      throw new Error(`The corpus has ${lines.length} lines; the limit is ${MAX_CORPUS_LINES}. Shorten it and try again.`);
    }
    const model = requireEncoder();
    corpus = undefined;
    const vectors: Float32Array[] = [];
    const start = performance.now();
    let tokens = 0;
    progress({ done: 0, total: lines.length });
    for (let offset = 0; offset < lines.length; offset += batchSize) {
      // Let pending messages (a cancel) arrive between batches.
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (cancelled.has(id)) throw new Cancelled();
      const batch = await model.embed(lines.slice(offset, offset + batchSize), options);
      for (const e of batch) {
        vectors.push(e.vector);
        tokens += e.encoding.inputMask.reduce((a, b) => a + b, 0);
      }
      progress({ done: vectors.length, total: lines.length });
    }
    corpus = { vectors, options };
    return { result: { count: vectors.length, timing: { ms: performance.now() - start, tokens } } };
  },

  async search({ query, topK }) {
    if (!corpus) throw new Error('No corpus is indexed yet: paste a corpus and index it first.');
    const start = performance.now();
    const [embedded] = await requireEncoder().embed([query], corpus.options);
    const ranking = rankByCosine(embedded.vector, corpus.vectors).slice(0, topK);
    const tokens = embedded.encoding.inputMask.reduce((a, b) => a + b, 0);
    return { result: { ranking, timing: { ms: performance.now() - start, tokens } } };
  },
};

async function run(request: Exclude<WorkerRequest, { type: 'cancel' }>): Promise<void> {
  const { id } = request;
  if (cancelled.delete(id)) {
    post({ id, type: 'cancelled' });
    return;
  }
  try {
    const handler = handlers[request.type] as Handler<CallType>;
    const { result, transfer } = await handler(request, {
      id,
      progress: (value) => post({ id, type: 'progress', progress: value }),
    });
    post({ id, type: 'result', result }, transfer);
  } catch (error) {
    if (error instanceof Cancelled) post({ id, type: 'cancelled' });
    else post({ id, type: 'error', message: error instanceof Error ? error.message : String(error) });
  } finally {
    active.delete(id);
    cancelled.delete(id);
  }
}

self.addEventListener('message', (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  if (request.type === 'cancel') {
    if (active.has(request.target)) cancelled.add(request.target);
    return;
  }
  active.add(request.id);
  queue = queue.then(() => run(request));
});
