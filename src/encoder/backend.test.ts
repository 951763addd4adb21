import { afterEach, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { isSoftwareRenderer, selectBackend, tfjsBackendEnvironment, wasmThreadCount, type BackendEnvironment, type WebGlProbe, type WebGpuProbe } from './backend';
import type { BackendName } from './types';

const HARDWARE_GPU: WebGpuProbe = { available: true, fallbackAdapter: false, description: '"nvidia ampere"' };
const FALLBACK_GPU: WebGpuProbe = { available: true, fallbackAdapter: true, description: '"google swiftshader"' };
const NO_GPU: WebGpuProbe = { available: false, why: 'navigator.gpu is absent' };
const HARDWARE_GL: WebGlProbe = { available: true, renderer: 'ANGLE (Intel, Mesa Intel(R) UHD Graphics 620)', software: false };
const SOFTWARE_GL: WebGlProbe = { available: true, renderer: 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)))', software: true };

/** A fake host: what the probes see, and which backends refuse to start. */
function fakeEnvironment(gpu: WebGpuProbe, gl: WebGlProbe, options: { wasm?: boolean; failing?: BackendName[] } = {}) {
  const started: BackendName[] = [];
  const environment: BackendEnvironment = {
    probeWebGpu: async () => gpu,
    probeWebGl: () => gl,
    hasWasm: () => options.wasm ?? true,
    async start(name) {
      if (options.failing?.includes(name)) throw new Error(`${name} init failed`);
      started.push(name);
    },
  };
  return { environment, started };
}

describe('selectBackend (auto)', () => {
  it('prefers WebGPU on a hardware adapter', async () => {
    const { environment, started } = fakeEnvironment(HARDWARE_GPU, HARDWARE_GL);
    const choice = await selectBackend('auto', environment);
    expect(choice.backend).toBe('webgpu');
    expect(choice.reason).toContain('"nvidia ampere" is a hardware GPU');
    expect(started).toEqual(['webgpu']);
  });

  it('takes WebGL on a hardware renderer when the WebGPU adapter is a fallback', async () => {
    const choice = await selectBackend('auto', fakeEnvironment(FALLBACK_GPU, HARDWARE_GL).environment);
    expect(choice.backend).toBe('webgl');
    expect(choice.reason).toContain('Mesa Intel');
    expect(choice.reason).toContain('WebGPU adapter "google swiftshader" is a software fallback');
  });

  it('chooses wasm when both GPU paths are software, and says why', async () => {
    const choice = await selectBackend('auto', fakeEnvironment(FALLBACK_GPU, SOFTWARE_GL).environment);
    expect(choice.backend).toBe('wasm');
    expect(choice.reason).toMatch(/software fallback/);
    expect(choice.reason).toMatch(/SwiftShader.*software rasteriser/);
  });

  it('chooses wasm when neither WebGPU nor WebGL exists (Node)', async () => {
    const choice = await selectBackend('auto', fakeEnvironment(NO_GPU, { available: false, why: 'no canvas in this environment' }).environment);
    expect(choice.backend).toBe('wasm');
    expect(choice.reason).toContain('navigator.gpu is absent');
  });

  it('falls to cpu without WebAssembly', async () => {
    const choice = await selectBackend('auto', fakeEnvironment(NO_GPU, SOFTWARE_GL, { wasm: false }).environment);
    expect(choice.backend).toBe('cpu');
    expect(choice.reason).toContain('no WebAssembly');
  });

  it('moves on when the preferred backend fails to start', async () => {
    const { environment, started } = fakeEnvironment(HARDWARE_GPU, HARDWARE_GL, { failing: ['webgpu'] });
    const choice = await selectBackend('auto', environment);
    expect(choice.backend).toBe('webgl');
    expect(choice.reason).toContain('webgpu could not start: webgpu init failed');
    expect(started).toEqual(['webgl']);
  });
});

describe('selectBackend (requested)', () => {
  it('honours a requested backend that starts, even a software one', async () => {
    const choice = await selectBackend('webgl', fakeEnvironment(NO_GPU, SOFTWARE_GL).environment);
    expect(choice).toEqual({ backend: 'webgl', reason: 'webgl was requested' });
  });

  it('falls back along the auto order when the requested backend cannot start', async () => {
    const { environment, started } = fakeEnvironment(FALLBACK_GPU, SOFTWARE_GL, { failing: ['webgpu'] });
    const choice = await selectBackend('webgpu', environment);
    expect(choice.backend).toBe('wasm');
    expect(choice.reason).toMatch(/^webgpu was requested but could not start \(webgpu init failed\); chose wasm/);
    expect(started).toEqual(['wasm']);
  });

  it('throws, listing every failure, when nothing starts', async () => {
    const { environment } = fakeEnvironment(NO_GPU, SOFTWARE_GL, { failing: ['wasm', 'cpu'] });
    await expect(selectBackend('wasm', environment)).rejects.toThrow(/wasm could not start.*cpu could not start/);
  });
});

describe('isSoftwareRenderer', () => {
  it.each([
    ['ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)', true],
    ['llvmpipe (LLVM 15.0.6, 256 bits)', true],
    ['Microsoft Basic Render Driver', true],
    ['Software Rasterizer', true],
    ['ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)', false],
    ['Apple M2', false],
  ])('%s -> %s', (renderer, software) => {
    expect(isSoftwareRenderer(renderer)).toBe(software);
  });
});

describe('tfjsBackendEnvironment probes (faked browser globals)', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('reads isFallbackAdapter and the adapter info', async () => {
    const adapter = { info: { vendor: 'google', architecture: 'swiftshader', device: '', description: '', isFallbackAdapter: true } };
    vi.stubGlobal('navigator', { gpu: { requestAdapter: async () => adapter } });
    expect(await tfjsBackendEnvironment(tf).probeWebGpu()).toEqual({ available: true, fallbackAdapter: true, description: '"google swiftshader"' });
  });

  it('reports a missing adapter and a hung requestAdapter as unavailable', async () => {
    vi.stubGlobal('navigator', { gpu: { requestAdapter: async () => null } });
    expect(await tfjsBackendEnvironment(tf).probeWebGpu()).toEqual({ available: false, why: 'requestAdapter() returned no adapter' });
    vi.stubGlobal('navigator', { gpu: { requestAdapter: () => new Promise(() => {}) } });
    const probe = await tfjsBackendEnvironment(tf, { startTimeoutMs: 50 }).probeWebGpu();
    expect(probe).toEqual({ available: false, why: 'requestAdapter() did not finish within 50 ms' });
  });

  it('reads the unmasked WebGL renderer and classifies it', () => {
    const UNMASKED_RENDERER_WEBGL = 0x9246;
    const lost: string[] = [];
    const fakeGl = {
      RENDERER: 0x1f01,
      getExtension: (name: string) =>
        name === 'WEBGL_debug_renderer_info' ? { UNMASKED_RENDERER_WEBGL } : { loseContext: () => lost.push(name) },
      getParameter: (key: number) => (key === UNMASKED_RENDERER_WEBGL ? 'llvmpipe (LLVM 15.0.6, 256 bits)' : 'WebKit WebGL'),
    };
    vi.stubGlobal('OffscreenCanvas', class { getContext = (kind: string) => (kind === 'webgl2' ? fakeGl : null); });
    expect(tfjsBackendEnvironment(tf).probeWebGl()).toEqual({ available: true, renderer: 'llvmpipe (LLVM 15.0.6, 256 bits)', software: true });
    expect(lost).toEqual(['WEBGL_lose_context']);
  });
});

describe('wasmThreadCount', () => {
  it('is one thread outside a cross-origin isolated page, whatever was asked', () => {
    expect(wasmThreadCount(16, false)).toBe(1);
    expect(wasmThreadCount(16, false, 4)).toBe(1);
  });

  it('uses both cores of a 2-core machine (tfjs alone would halve it to one), else half the logical cores', () => {
    expect(wasmThreadCount(1, true)).toBe(1);
    expect(wasmThreadCount(2, true)).toBe(2);
    expect(wasmThreadCount(3, true)).toBe(2);
    expect(wasmThreadCount(8, true)).toBe(4);
  });

  it('honours a request within 1 to 8, the size of tfjs-wasm\'s worker pool', () => {
    expect(wasmThreadCount(4, true, 3)).toBe(3);
    expect(wasmThreadCount(4, true, 0)).toBe(1);
    expect(wasmThreadCount(64, true)).toBe(8);
    expect(wasmThreadCount(4, true, 20)).toBe(8);
  });
});
