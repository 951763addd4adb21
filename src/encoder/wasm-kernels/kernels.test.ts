import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { instantiateSimdKernels, vectorizable, type MatMulDims } from './kernels';

/**
 * erf in float64: its Taylor series up to |x| = 4 (terms stay < 1e7, so ~1e-9 accurate), ±1 beyond
 * (1 - erf(4) = 1.5e-8).
 */
function erf64(x: number): number {
  if (Math.abs(x) > 4) return Math.sign(x);
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

function naiveMatMul(a: Float32Array, b: Float32Array, { batch, m, k, n, transposeB }: MatMulDims): Float64Array {
  const out = new Float64Array(batch * m * n);
  for (let t = 0; t < batch; t++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) sum += a[t * m * k + i * k + p] * (transposeB ? b[t * n * k + j * k + p] : b[t * k * n + p * n + j]);
        out[t * m * n + i * n + j] = sum;
      }
  return out;
}

/** Node 20 has WebAssembly SIMD: no kernels here is a failure, not a skip. */
async function simdKernels() {
  const kernels = await instantiateSimdKernels();
  if (kernels === undefined) throw new Error('this engine reports no WebAssembly SIMD');
  return kernels;
}

const randomArray = (length: number, seed: number) => Float32Array.from({ length }, (_, i) => Math.sin(seed * 7919 + i * 12.9898) * 2);

describe('SIMD erf', () => {
  it('is within 1e-6 of erf on [-6, 6], exactly ±1 far out, 0 at 0, NaN for NaN', async () => {
    const kernels = await simdKernels();
    const x = Float32Array.from({ length: 120_001 }, (_, i) => -6 + i * 1e-4);
    const out = new Float32Array(x.length);
    kernels.erf(x, out);
    let worst = 0;
    x.forEach((value, i) => (worst = Math.max(worst, Math.abs(out[i] - erf64(value)))));
    expect(worst).toBeLessThan(1e-6);
    const special = Float32Array.of(0, -0, Infinity, -Infinity, 1e30, -1e30, NaN);
    const specialOut = new Float32Array(special.length);
    kernels.erf(special, specialOut);
    expect(Array.from(specialOut.subarray(0, 6))).toEqual([0, -0, 1, -1, 1, -1]);
    expect(specialOut[6]).toBeNaN();
  });

  it('gives GELU, 0.5·x·(1 + erf(x/√2)), within 1e-6 (relative beyond |x| = 1)', async () => {
    const kernels = await simdKernels();
    const x = Float32Array.from({ length: 20_001 }, (_, i) => -10 + i * 1e-3);
    const out = new Float32Array(x.length);
    kernels.gelu(x, out);
    x.forEach((value, i) => {
      const expected = 0.5 * value * (1 + erf64(value / Math.SQRT2));
      expect(Math.abs(out[i] - expected)).toBeLessThan(1e-6 * Math.max(1, Math.abs(value)));
    });
  });

  it('writes exactly the given length (no lane past the end) and grows its memory for large inputs', async () => {
    const kernels = await simdKernels();
    const large = randomArray(3_000_001, 1);
    const out = new Float32Array(large.length + 3).fill(42);
    kernels.erf(large, out.subarray(0, large.length));
    expect(Array.from(out.subarray(large.length))).toEqual([42, 42, 42]);
    for (const i of [0, 1_234_567, large.length - 1]) expect(out[i]).toBeCloseTo(erf64(large[i]), 6);
  });
});

describe('SIMD batched matmul', () => {
  it('equals the float64 product for any shape it takes, b plain or transposed', async () => {
    const kernels = await simdKernels();
    const dims = fc.record({
      batch: fc.integer({ min: 1, max: 4 }),
      m: fc.integer({ min: 1, max: 9 }),
      k: fc.integer({ min: 1, max: 40 }),
      n: fc.integer({ min: 1, max: 40 }),
      transposeB: fc.boolean(),
    });
    fc.assert(
      fc.property(dims.filter(vectorizable), fc.integer({ min: 1, max: 1000 }), (d, seed) => {
        const a = randomArray(d.batch * d.m * d.k, seed);
        const b = randomArray(d.batch * d.k * d.n, seed + 1);
        const out = new Float32Array(d.batch * d.m * d.n);
        kernels.batchMatMul(a, b, out, d);
        const expected = naiveMatMul(a, b, d);
        out.forEach((value, i) => expect(Math.abs(value - expected[i])).toBeLessThan(1e-5 * (1 + Math.abs(expected[i])) * Math.sqrt(d.k)));
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a vector dimension that is not a multiple of 4', async () => {
    const kernels = await simdKernels();
    const dims = { batch: 1, m: 2, k: 3, n: 5, transposeB: false };
    expect(vectorizable(dims)).toBe(false);
    expect(vectorizable({ ...dims, k: 8, transposeB: true })).toBe(true);
    expect(() => kernels.batchMatMul(new Float32Array(6), new Float32Array(15), new Float32Array(10), dims)).toThrow(RangeError);
  });
});

describe('SIMD layer norm', () => {
  it('equals the float64 normalisation of every row, scaled and shifted', async () => {
    const kernels = await simdKernels();
    for (const [rows, cols] of [[1, 4], [5, 12], [17, 768]]) {
      const x = randomArray(rows * cols, rows).map((v, i) => v * 10 + (i % cols === 0 ? 100 : 0));
      const gamma = randomArray(cols, 2);
      const beta = randomArray(cols, 3);
      const out = new Float32Array(x.length);
      const eps = 1e-12;
      kernels.layerNorm(x, gamma, beta, out, eps);
      for (let r = 0; r < rows; r++) {
        const row = Array.from(x.subarray(r * cols, (r + 1) * cols));
        const mean = row.reduce((a, b) => a + b, 0) / cols;
        const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / cols;
        row.forEach((value, c) => {
          const expected = ((value - mean) / Math.sqrt(variance + eps)) * gamma[c] + beta[c];
          expect(Math.abs(out[r * cols + c] - expected)).toBeLessThan(2e-5 * (1 + Math.abs(expected)));
        });
      }
    }
  });

  it('refuses rows whose width is not a multiple of 4 or does not match gamma and beta', async () => {
    const kernels = await simdKernels();
    expect(() => kernels.layerNorm(new Float32Array(12), new Float32Array(6), new Float32Array(6), new Float32Array(12), 1e-5)).toThrow(RangeError);
    expect(() => kernels.layerNorm(new Float32Array(12), new Float32Array(4), new Float32Array(8), new Float32Array(12), 1e-5)).toThrow(RangeError);
    expect(() => kernels.layerNorm(new Float32Array(10), new Float32Array(4), new Float32Array(4), new Float32Array(10), 1e-5)).toThrow(RangeError);
  });
});
