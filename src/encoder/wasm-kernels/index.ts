// The graph runner's kernels on tfjs-wasm: erf, GELU, the attention's batched matmuls and LayerNorm from our
// SIMD module (kernels.wat), and slices copied straight from the wasm heap. tfjs-wasm's own Slice first
// copies the whole input out of the heap (readSync) to cut its piece, its Erf and BatchMatMul are scalar
// loops, and the graph's GELU and LayerNorm are five and nine ops.
// Registered under our own kernel names, so tfjs's kernels stay as they are for everyone else.
import type * as tfTypes from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tfKernels, type RunnerKernels } from '../graph-runner';
import { instantiateSimdKernels, vectorizable, type MatMulDims, type SimdKernels } from './kernels';

type Tf = typeof import('@tensorflow/tfjs');

const KERNEL = { erf: 'BertEncoderErf', gelu: 'BertEncoderGelu', batchMatMul: 'BertEncoderBatchMatMul', slice: 'BertEncoderSlice', layerNorm: 'BertEncoderLayerNorm' } as const;

let simdKernels: Promise<SimdKernels | undefined> | undefined;

/** Copies x[begin .. begin + size) (row-major) into out, one contiguous run at a time. */
export function copySlice<T extends Float32Array | Int32Array | Uint8Array>(x: T, shape: number[], begin: number[], size: number[], out: T): void {
  const rank = shape.length;
  const strides = new Array<number>(rank);
  for (let axis = rank - 1, stride = 1; axis >= 0; axis--) {
    strides[axis] = stride;
    stride *= shape[axis];
  }
  // Axes after `runAxis` are taken whole, so each run is contiguous in x.
  let runAxis = rank - 1;
  while (runAxis > 0 && size[runAxis] === shape[runAxis]) runAxis--;
  const runLength = size[runAxis] * strides[runAxis];
  let written = 0;
  const visit = (axis: number, offset: number) => {
    if (axis === runAxis) {
      const start = offset + begin[axis] * strides[axis];
      out.set(x.subarray(start, start + runLength) as T, written);
      written += runLength;
      return;
    }
    for (let i = 0; i < size[axis]; i++) visit(axis + 1, offset + (begin[axis] + i) * strides[axis]);
  };
  if (rank === 0) out.set(x);
  else visit(0, 0);
}

function matMulDims(a: number[], b: number[], transposeB: boolean): MatMulDims {
  const rank = a.length;
  return {
    batch: a.slice(0, -2).reduce((product, d) => product * d, 1),
    m: a[rank - 2],
    k: a[rank - 1],
    n: transposeB ? b[rank - 2] : b[rank - 1],
    transposeB,
  };
}

function registerKernels(tf: Tf, simd: SimdKernels): void {
  const register = (kernelName: string, kernelFunc: tfTypes.KernelFunc) => {
    if (tf.getKernel(kernelName, 'wasm') === undefined) tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  };
  // Each takes its views of the heap after makeOutput, which may grow (and so move) the heap.
  for (const [name, apply] of [[KERNEL.erf, simd.erf], [KERNEL.gelu, simd.gelu]] as const) {
    register(name, ({ inputs, backend }) => {
      const wasm = backend as BackendWasm;
      const x = inputs.x as tfTypes.TensorInfo;
      const out = wasm.makeOutput(x.shape, 'float32');
      apply(wasm.typedArrayFromHeap(x) as Float32Array, wasm.typedArrayFromHeap(out) as Float32Array);
      return out;
    });
  }
  register(KERNEL.batchMatMul, ({ inputs, attrs, backend }) => {
    const wasm = backend as BackendWasm;
    const { a, b } = inputs as { a: tfTypes.TensorInfo; b: tfTypes.TensorInfo };
    const dims = matMulDims(a.shape, b.shape, (attrs as { transposeB: boolean }).transposeB);
    const out = wasm.makeOutput([...a.shape.slice(0, -2), dims.m, dims.n], 'float32');
    simd.batchMatMul(wasm.typedArrayFromHeap(a) as Float32Array, wasm.typedArrayFromHeap(b) as Float32Array, wasm.typedArrayFromHeap(out) as Float32Array, dims);
    return out;
  });
  register(KERNEL.slice, ({ inputs, attrs, backend }) => {
    const wasm = backend as BackendWasm;
    const x = inputs.x as tfTypes.TensorInfo;
    const { begin, size } = attrs as { begin: number[]; size: number[] };
    const out = wasm.makeOutput(size, x.dtype);
    copySlice(wasm.typedArrayFromHeap(x), x.shape, begin, size, wasm.typedArrayFromHeap(out));
    return out;
  });
  register(KERNEL.layerNorm, ({ inputs, attrs, backend }) => {
    const wasm = backend as BackendWasm;
    const { x, gamma, beta } = inputs as { x: tfTypes.TensorInfo; gamma: tfTypes.TensorInfo; beta: tfTypes.TensorInfo };
    const out = wasm.makeOutput(x.shape, 'float32');
    const [xs, gammas, betas] = [x, gamma, beta].map((tensor) => wasm.typedArrayFromHeap(tensor) as Float32Array);
    simd.layerNorm(xs, gammas, betas, wasm.typedArrayFromHeap(out) as Float32Array, (attrs as { eps: number }).eps);
    return out;
  });
}

/** The runner's kernels for the wasm backend; tfjs's own wherever ours do not apply, or without WebAssembly SIMD. */
export async function wasmRunnerKernels(tf: Tf): Promise<RunnerKernels> {
  simdKernels ??= instantiateSimdKernels();
  const simd = await simdKernels;
  const fallback = tfKernels(tf);
  if (simd === undefined) return fallback;
  registerKernels(tf, simd);
  const run = (name: string, inputs: tfTypes.NamedTensorMap, attrs: Record<string, unknown> = {}) =>
    tf.engine().runKernel(name, inputs, attrs as tfTypes.NamedAttrMap) as tfTypes.Tensor;
  return {
    // Erf and the GELU pattern only exist on float32 in a valid graph.
    erf: (x) => run(KERNEL.erf, { x }),
    gelu: (x) => run(KERNEL.gelu, { x }),
    batchMatMul(a, b, transposeA, transposeB) {
      const sameBatch = a.rank === b.rank && a.rank >= 2 && a.shape.slice(0, -2).every((d, i) => d === b.shape[i]);
      const sharedDim = transposeB ? b.shape[b.rank - 1] : b.shape[b.rank - 2];
      const usable = !transposeA && sameBatch && a.dtype === 'float32' && b.dtype === 'float32' && sharedDim === a.shape[a.rank - 1] && vectorizable(matMulDims(a.shape, b.shape, transposeB));
      return usable ? run(KERNEL.batchMatMul, { a, b }, { transposeB }) : fallback.batchMatMul(a, b, transposeA, transposeB);
    },
    slice: (x, begin, size) => (x.dtype === 'string' ? fallback.slice(x, begin, size) : run(KERNEL.slice, { x }, { begin, size })),
    layerNorm(x, gamma, beta, eps) {
      const cols = x.shape[x.rank - 1];
      const usable = x.dtype === 'float32' && cols % 4 === 0 && [gamma, beta].every((t) => t.dtype === 'float32' && t.rank === 1 && t.size === cols);
      if (usable) return run(KERNEL.layerNorm, { x, gamma, beta }, { eps });
      return tf.tidy(() => {
        const { mean, variance } = tf.moments(x, -1, true);
        return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), gamma), beta);
      });
    },
  };
}
