import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../../converter/node-runner';
import { writeRandomModel } from '../../../tools/test-models';
import type { RunnerKernels } from '../graph-runner';
import { loadEncoder } from '../node';
import { copySlice, wasmRunnerKernels } from '.';

let kernels: RunnerKernels;
beforeAll(async () => {
  await useBackend('wasm');
  kernels = await wasmRunnerKernels(tf);
});

const seeded = (shape: number[], seed: number) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(seed + i * 0.37) * 3), shape);

/** Runs `f` and checks it leaves no tensor behind besides its result, which it returns as data. */
function leakFree(f: () => tf.Tensor): { shape: number[]; values: number[] } {
  const before = tf.memory().numTensors;
  const result = f();
  const shape = result.shape;
  const values = Array.from(result.dataSync());
  result.dispose();
  expect(tf.memory().numTensors).toBe(before);
  return { shape, values };
}

function expectClose(actual: { shape: number[]; values: number[] }, expected: tf.Tensor, tolerance: number) {
  expect(actual.shape).toEqual(expected.shape);
  const wanted = expected.dataSync();
  actual.values.forEach((value, i) => expect(Math.abs(value - wanted[i])).toBeLessThanOrEqual(tolerance * (1 + Math.abs(wanted[i]))));
}

describe('copySlice', () => {
  it("copies the same elements as tfjs's slice, for any shape, begin and size", () => {
    const sliceCase = fc
      .array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 5 })
      .chain((shape) =>
        fc.tuple(
          fc.constant(shape),
          fc.tuple(...shape.map((d) => fc.integer({ min: 0, max: d - 1 }).chain((b) => fc.tuple(fc.constant(b), fc.integer({ min: 0, max: d - b }))))),
        ),
      );
    fc.assert(
      fc.property(sliceCase, ([shape, ranges]) => {
        const size = shape.reduce((a, b) => a * b, 1);
        const x = Int32Array.from({ length: size }, (_, i) => i);
        const begin = ranges.map(([b]) => b);
        const extent = ranges.map(([, s]) => s);
        const out = new Int32Array(extent.reduce((a, b) => a * b, 1));
        copySlice(x, shape, begin, extent, out);
        const expected = tf.tidy(() => tf.slice(tf.tensor(x, shape, 'int32'), begin, extent).dataSync());
        expect(Array.from(out)).toEqual(Array.from(expected));
      }),
      { numRuns: 300 },
    );
  });
});

describe('wasm runner kernels', () => {
  it("give tfjs's LayerNorm, on the SIMD kernel (width a multiple of 4) or tfjs's ops (any other width)", () => {
    for (const width of [8, 6]) {
      const [x, gamma, beta] = [seeded([3, width], width), seeded([width], 1), seeded([width], 2)];
      const expected = tf.tidy(() => {
        const { mean, variance } = tf.moments(x, -1, true);
        return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-6))), gamma), beta);
      });
      expectClose(leakFree(() => kernels.layerNorm!(x, gamma, beta, 1e-6)), expected, 1e-5);
      tf.dispose([x, gamma, beta, expected]);
    }
  });

  it("give tfjs's erf, GELU, batched matmuls and slices, leaving no tensor behind", () => {
    const x = seeded([3, 5, 8], 1);
    expectClose(leakFree(() => kernels.erf(x)), tf.erf(x), 1e-6);
    expectClose(leakFree(() => kernels.gelu!(x)), tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1))), 1e-6);
    const [a, b, bt] = [seeded([2, 3, 5, 8], 2), seeded([2, 3, 8, 12], 3), seeded([2, 3, 7, 8], 4)];
    expectClose(leakFree(() => kernels.batchMatMul(a, b, false, false)), tf.matMul(a, b), 1e-5);
    expectClose(leakFree(() => kernels.batchMatMul(a, bt, false, true)), tf.matMul(a, bt, false, true), 1e-5);
    expectClose(leakFree(() => kernels.slice(a, [1, 0, 2, 4], [1, 3, 2, 4])), tf.slice(a, [1, 0, 2, 4], [1, 3, 2, 4]), 0);
    const ids = tf.tensor2d([[1, 2, 3], [4, 5, 6]], [2, 3], 'int32');
    const sliced = leakFree(() => kernels.slice(ids, [0, 1], [2, 1]));
    expect(sliced).toEqual({ shape: [2, 1], values: [2, 5] });
    tf.dispose([x, a, b, bt, ids]);
  });

  it("match tfjs's matmul where the SIMD kernel does not apply (tfjs's own runs) and on 2-D operands", () => {
    const cases: [tf.Tensor, tf.Tensor, boolean, boolean][] = [
      [seeded([2, 8, 3], 5), seeded([2, 8, 6], 6), true, false], // a transposed
      [seeded([2, 3, 5], 7), seeded([2, 5, 6], 8), false, false], // n = 6, not a multiple of 4
      [seeded([2, 3, 8], 9), seeded([1, 8, 4], 10), false, false], // broadcast batch
      [seeded([3, 8], 11), seeded([8, 4], 12), false, false], // 2-D: a batch of one
    ];
    for (const [a, b, transposeA, transposeB] of cases) {
      expectClose(leakFree(() => kernels.batchMatMul(a, b, transposeA, transposeB)), tf.matMul(a, b, transposeA, transposeB), 1e-5);
      tf.dispose([a, b]);
    }
  });
});

describe('the encoder on wasm', () => {
  it("runs its GELUs, attention matmuls, slices and LayerNorms on these kernels, none on tfjs-wasm's", async () => {
    const model = await writeRandomModel({ preset: 'tiny', seed: 11, gelu: 'erf' });
    try {
      const encoder = await loadEncoder(model.dir);
      const profile = await tf.profile(async () => {
        await encoder.embed(['kernels for a sentence'], { pooling: 'mean' });
      });
      const kernelNames = new Set(profile.kernelNames);
      for (const ours of ['BertEncoderGelu', 'BertEncoderBatchMatMul', 'BertEncoderSlice', 'BertEncoderLayerNorm']) expect(kernelNames).toContain(ours);
      for (const theirs of ['Erf', 'BatchMatMul', 'Slice', 'StridedSlice', 'Rsqrt', 'Mean']) expect(kernelNames).not.toContain(theirs);
      encoder.dispose();
    } finally {
      await model.remove();
    }
  });
});
