// Drives the SIMD module assembled from kernels.wat. It has its own memory: each call copies its
// operands in and the result out (copies are a small fraction of the scalar work they replace), so it
// stays independent of tfjs-wasm's heap layout and of its threaded build's shared memory.
import { KERNELS_WASM_BASE64 } from './kernels-wasm';

export interface MatMulDims {
  batch: number;
  m: number;
  k: number;
  n: number;
  /** b is [batch, n, k] rather than [batch, k, n]. */
  transposeB: boolean;
}

export interface SimdKernels {
  /** out[i] = erf(x[i]); x and out have the same length. */
  erf(x: Float32Array, out: Float32Array): void;
  /** out[i] = GELU(x[i]) = 0.5·x·(1 + erf(x/√2)). */
  gelu(x: Float32Array, out: Float32Array): void;
  /**
   * out [batch, m, n] = a [batch, m, k] · b, per batch entry. The vector dimension (n, or k when b is
   * transposed) must be a multiple of 4: see `vectorizable`.
   */
  batchMatMul(a: Float32Array, b: Float32Array, out: Float32Array, dims: MatMulDims): void;
  /**
   * Normalises each row of `cols` floats (a multiple of 4): (x - mean)·(variance + eps)^-½·gamma + beta,
   * gamma and beta of length cols.
   */
  layerNorm(x: Float32Array, gamma: Float32Array, beta: Float32Array, out: Float32Array, eps: number): void;
}

/** Whether `batchMatMul` takes these dimensions. */
export function vectorizable({ m, k, n, transposeB }: MatMulDims): boolean {
  return m > 0 && k > 0 && n > 0 && (transposeB ? k : n) % 4 === 0;
}

interface Exports {
  memory: WebAssembly.Memory;
  erf(src: number, dst: number, vectors: number, gelu: 0 | 1): void;
  batch_matmul(a: number, b: number, out: number, batch: number, m: number, k: number, n: number): void;
  batch_matmul_transposed_b(a: number, b: number, out: number, batch: number, m: number, k: number, n: number): void;
  layer_norm(x: number, gamma: number, beta: number, out: number, rows: number, cols: number, eps: number): void;
}

const PAGE_BYTES = 65536;
/** Regions start on 16-byte boundaries and hold whole v128s. */
const regionBytes = (floats: number) => Math.ceil(floats / 4) * 16;

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The kernels, or undefined where the engine has no WebAssembly SIMD (tfjs-wasm then runs its plain build too). */
export async function instantiateSimdKernels(): Promise<SimdKernels | undefined> {
  const bytes = decodeBase64(KERNELS_WASM_BASE64);
  if (!WebAssembly.validate(bytes)) return undefined;
  const instance = await WebAssembly.instantiate(await WebAssembly.compile(bytes));
  const wasm = instance.exports as unknown as Exports;

  /** Float32 views of consecutive regions of the given sizes, growing the memory when needed. */
  const regions = (...floats: number[]): { offsets: number[]; views: Float32Array[] } => {
    const offsets: number[] = [];
    let end = 0;
    for (const count of floats) {
      offsets.push(end);
      end += regionBytes(count);
    }
    const missing = end - wasm.memory.buffer.byteLength;
    if (missing > 0) wasm.memory.grow(Math.ceil(missing / PAGE_BYTES));
    return { offsets, views: offsets.map((offset, i) => new Float32Array(wasm.memory.buffer, offset, floats[i])) };
  };

  const erfOrGelu = (x: Float32Array, out: Float32Array, gelu: 0 | 1) => {
    const { offsets, views } = regions(x.length, x.length);
    views[0].set(x);
    wasm.erf(offsets[0], offsets[1], Math.ceil(x.length / 4), gelu);
    out.set(views[1]);
  };

  return {
    erf: (x, out) => erfOrGelu(x, out, 0),
    gelu: (x, out) => erfOrGelu(x, out, 1),
    batchMatMul(a, b, out, dims) {
      if (!vectorizable(dims)) throw new RangeError(`batchMatMul: [${dims.m}, ${dims.k}] x [${dims.k}, ${dims.n}] has no vector dimension that is a multiple of 4`);
      const { offsets, views } = regions(a.length, b.length, out.length);
      views[0].set(a);
      views[1].set(b);
      const run = dims.transposeB ? wasm.batch_matmul_transposed_b : wasm.batch_matmul;
      run(offsets[0], offsets[1], offsets[2], dims.batch, dims.m, dims.k, dims.n);
      out.set(views[2]);
    },
    layerNorm(x, gamma, beta, out, eps) {
      const cols = gamma.length;
      if (cols % 4 !== 0 || beta.length !== cols || x.length % cols !== 0) throw new RangeError(`layerNorm: rows of ${cols} (gamma), ${beta.length} (beta) over ${x.length} values`);
      const { offsets, views } = regions(x.length, cols, cols, x.length);
      views[0].set(x);
      views[1].set(gamma);
      views[2].set(beta);
      wasm.layer_norm(offsets[0], offsets[1], offsets[2], offsets[3], x.length / cols, cols, eps);
      out.set(views[3]);
    },
  };
}
