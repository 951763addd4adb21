// Its own file: the module keeps one instance of the kernels, so the engine without SIMD must come first.
import { afterAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { tfKernels } from '../graph-runner';
import { instantiateSimdKernels } from './kernels';
import { wasmRunnerKernels } from '.';

const validate = vi.spyOn(WebAssembly, 'validate').mockReturnValue(false);
afterAll(() => validate.mockRestore());

describe('an engine without WebAssembly SIMD', () => {
  it("gets no SIMD kernels, and the runner tfjs's own (tfjs-wasm runs its plain build there)", async () => {
    expect(await instantiateSimdKernels()).toBeUndefined();
    const kernels = await wasmRunnerKernels(tf);
    expect(Object.keys(kernels).sort()).toEqual(Object.keys(tfKernels(tf)).sort());
    expect(kernels.layerNorm).toBeUndefined();
    expect(kernels.gelu).toBeUndefined();
  });
});
