// The encoder's public contract: what `loadEncoder()` returns, in the browser and in Node.
import type { Encoding } from '../tokenizer/types';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export type BackendRequest = BackendName | 'auto';
export type Pooling = 'pooled' | 'mean' | 'cls';

export interface LoadProgress {
  loadedBytes: number;
  totalBytes: number;
}

export interface LoadOptions {
  backend?: BackendRequest;
  onProgress?: (progress: LoadProgress) => void;
  /** Where the tfjs-backend-wasm .wasm files are (a directory URL or one URL per file); Node finds them itself. */
  wasmPaths?: import('./backend').WasmPaths;
  /**
   * wasm threads when the page is cross-origin isolated and wasmPaths include the threaded build
   * (default: half the logical cores, at least 2 where there are 2; at most 8). Elsewhere one thread.
   */
  wasmThreads?: number;
  /** Round each batch's length up to a multiple of this; default 16 on webgl/webgpu (bounds shader compiles), else 1. */
  padToMultipleOf?: number;
  /** Most batchSize × paddedLength tokens per model call (default 4096): bounds memory. */
  maxBatchTokens?: number;
  /** Check every shard and vocab.txt against its sha256 from model.json (default true). */
  verifyHashes?: boolean;
  /** Replaces the browser probes and tfjs backend start, for tests and unusual hosts. */
  backendEnvironment?: import('./backend').BackendEnvironment;
}

export interface EmbedOptions {
  pooling?: Pooling;
  normalize?: boolean;
}

export interface EncoderInfo {
  config: import('../../converter/canonical').BertConfig;
  backend: BackendName;
  /** Why this backend was chosen (auto choice or fallback from the requested one). */
  backendReason: string;
  /** Threads the backend computes with: tfjs-wasm's pool (1 without cross-origin isolation); 1 elsewhere. */
  threads: number;
  modelBytes: number;
  quantization: 'float32' | 'float16' | 'uint8';
  source: string;
  tokenizer: { mode: import('../tokenizer/types').TokenizerMode; lowercase: boolean };
  /** The model's metadata says its weights are seeded random numbers: its similarities carry no meaning. */
  demo: boolean;
}

export interface Embedding {
  text: string;
  encoding: Encoding;
  vector: Float32Array;
}

export interface SequenceEmbedding {
  text: string;
  encoding: Encoding;
  /** One vector per position of `encoding` (wordpieces and specials). */
  vectors: Float32Array[];
}

export interface Encoder {
  readonly info: EncoderInfo;
  embed(texts: string[], options?: EmbedOptions): Promise<Embedding[]>;
  embedSequence(texts: string[]): Promise<SequenceEmbedding[]>;
  tokenize(texts: string[]): Encoding[];
  dispose(): void;
}

/** The encoder loadEncoder() returns: also embeds sequences that are already tokenized (e.g. by bert-tokenize). */
export interface BertEncoder extends Encoder {
  /** One vector per encoding, in order; an encoding's padding positions (mask 0) are masked out as usual. */
  embedEncodings(encodings: Encoding[], options?: EmbedOptions): Promise<Float32Array[]>;
  /** One vector per position of each encoding. */
  embedSequenceEncodings(encodings: Encoding[]): Promise<Float32Array[][]>;
  /** Both of the above from one model run per batch: `vectors[i]` as embedEncodings, `sequences[i]` as embedSequenceEncodings. */
  embedEncodingsWithSequences(encodings: Encoding[], options?: EmbedOptions): Promise<{ vectors: Float32Array[]; sequences: Float32Array[][] }>;
}
