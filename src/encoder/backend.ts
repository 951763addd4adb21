// Backend choice. `auto` prefers a real GPU: WebGPU on a hardware adapter, then WebGL on a hardware
// renderer, else wasm, else cpu. A requested backend that cannot start falls back along the same order.
// Probes and the starter are injectable so the choice is testable without a browser or a GPU.
import type { BackendName, BackendRequest } from './types';

export type WebGpuProbe = { available: false; why: string } | { available: true; fallbackAdapter: boolean; description: string };
export type WebGlProbe = { available: false; why: string } | { available: true; renderer: string; software: boolean };

export interface BackendEnvironment {
  probeWebGpu(): Promise<WebGpuProbe>;
  probeWebGl(): WebGlProbe;
  hasWasm(): boolean;
  /** Makes `name` the active tfjs backend; throws (with the reason) when it cannot start. */
  start(name: BackendName): Promise<void>;
  /** After wasm started: the threads it computes with, and why that many. */
  wasmThreads?(): WasmThreads;
}

export interface WasmThreads {
  count: number;
  why: string;
}

export interface BackendChoice {
  backend: BackendName;
  reason: string;
}

/** Renderer strings of software rasterisers: they run "WebGL" on the CPU, slower than wasm. */
const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software|basic render driver|mesa offscreen/i;

export function isSoftwareRenderer(renderer: string): boolean {
  return SOFTWARE_RENDERER.test(renderer);
}

interface Candidate {
  backend: BackendName;
  why: string;
}

/** The backends worth trying, best first, each with why it qualifies; `notes` say why others were passed over. */
async function autoCandidates(env: BackendEnvironment, exclude: BackendName | undefined): Promise<{ candidates: Candidate[]; notes: string[] }> {
  const candidates: Candidate[] = [];
  const notes: string[] = [];
  if (exclude !== 'webgpu') {
    const gpu = await env.probeWebGpu();
    if (!gpu.available) notes.push(`no WebGPU (${gpu.why})`);
    else if (gpu.fallbackAdapter) notes.push(`the WebGPU adapter ${gpu.description} is a software fallback`);
    else candidates.push({ backend: 'webgpu', why: `WebGPU adapter ${gpu.description} is a hardware GPU` });
  }
  if (exclude !== 'webgl') {
    const gl = env.probeWebGl();
    if (!gl.available) notes.push(`no WebGL (${gl.why})`);
    else if (gl.software) notes.push(`the WebGL renderer "${gl.renderer}" is a software rasteriser`);
    else candidates.push({ backend: 'webgl', why: `WebGL renderer "${gl.renderer}" is a hardware GPU` });
  }
  if (exclude !== 'wasm') {
    if (env.hasWasm()) candidates.push({ backend: 'wasm', why: 'wasm runs on the CPU with SIMD' });
    else notes.push('no WebAssembly');
  }
  if (exclude !== 'cpu') candidates.push({ backend: 'cpu', why: 'the plain JavaScript backend always works' });
  return { candidates, notes };
}

async function tryStart(env: BackendEnvironment, backend: BackendName): Promise<string | undefined> {
  try {
    await env.start(backend);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

export async function selectBackend(request: BackendRequest, env: BackendEnvironment): Promise<BackendChoice> {
  const failures: string[] = [];
  let prefix = '';
  if (request !== 'auto') {
    const failure = await tryStart(env, request);
    if (failure === undefined) return { backend: request, reason: `${request} was requested` };
    failures.push(`${request} could not start: ${failure}`);
    prefix = `${request} was requested but could not start (${failure}); `;
  }
  const { candidates, notes } = await autoCandidates(env, request === 'auto' ? undefined : request);
  for (const candidate of candidates) {
    const failure = await tryStart(env, candidate.backend);
    if (failure === undefined) {
      const passedOver = [...notes, ...failures.slice(request === 'auto' ? 0 : 1)];
      const context = passedOver.length > 0 ? `; ${passedOver.join('; ')}` : '';
      return { backend: candidate.backend, reason: `${prefix}chose ${candidate.backend}: ${candidate.why}${context}` };
    }
    failures.push(`${candidate.backend} could not start: ${failure}`);
  }
  throw new Error(`No tfjs backend could start: ${[...notes, ...failures].join('; ')}`);
}

export type WasmBinaryName = 'tfjs-backend-wasm.wasm' | 'tfjs-backend-wasm-simd.wasm' | 'tfjs-backend-wasm-threaded-simd.wasm';
/** A directory URL/path holding the .wasm files, or a URL per file (bundlers: `import u from '...simd.wasm?url'`). */
export type WasmPaths = string | Partial<Record<WasmBinaryName, string>>;

export interface TfjsEnvironmentOptions {
  wasmPaths?: WasmPaths;
  /** tfjs-wasm threads in a cross-origin isolated page (default: see wasmThreadCount). */
  wasmThreads?: number;
  /** How long a GPU probe or a backend start may take before it counts as failed (default 20 s). */
  startTimeoutMs?: number;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

let wasmPathsApplied = false;

/** tfjs-wasm's pthread pool holds 8 workers: more threads cannot run. */
const MAX_WASM_THREADS = 8;

/**
 * Threads for tfjs-wasm. One unless the page is cross-origin isolated (threads need SharedArrayBuffer).
 * Else the request, or by default half the logical cores as tfjs does (it assumes two hyper-threads per
 * core) but at least two where there are two: on a 2-core machine tfjs alone would use one.
 */
export function wasmThreadCount(logicalCores: number, isolated: boolean, requested?: number): number {
  if (!isolated) return 1;
  const wanted = requested ?? Math.max(Math.min(logicalCores, 2), Math.floor(logicalCores / 2));
  return Math.min(Math.max(1, Math.floor(wanted)), MAX_WASM_THREADS);
}

/**
 * Runs `start` while navigator.hardwareConcurrency reads at least `cores`. tfjs-wasm caps its thread pool
 * at half the logical cores it sees when the module is instantiated, whatever setThreadsCount asks, so
 * the caller passes twice the threads it wants. Where the property cannot be shadowed, tfjs's cap stays.
 */
async function withLogicalCoresAtLeast<T>(cores: number, start: () => Promise<T>): Promise<T> {
  const navigator = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  if (navigator === undefined || (navigator.hardwareConcurrency ?? 0) >= cores) return start();
  try {
    Object.defineProperty(navigator, 'hardwareConcurrency', { value: cores, configurable: true });
  } catch {
    return start();
  }
  try {
    return await start();
  } finally {
    delete (navigator as { hardwareConcurrency?: number }).hardwareConcurrency;
  }
}

async function registerWasm(tf: typeof import('@tensorflow/tfjs'), paths: WasmPaths | undefined, requestedThreads: number | undefined): Promise<WasmThreads> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const scope = globalThis as { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } };
  const isolated = scope.crossOriginIsolated === true;
  const threadedGiven = typeof paths === 'string' || paths?.['tfjs-backend-wasm-threaded-simd.wasm'] !== undefined;
  const threads = threadedGiven ? wasmThreadCount(scope.navigator?.hardwareConcurrency ?? 1, isolated, requestedThreads) : 1;
  const why =
    scope.crossOriginIsolated === undefined
      ? 'one thread (tfjs-wasm runs threads only in a cross-origin isolated page)'
      : !isolated
        ? 'the page is not cross-origin isolated (COOP/COEP headers), so one thread'
        : !threadedGiven
          ? 'no threaded .wasm was given, so one thread'
          : `cross-origin isolated, ${threads} thread${threads === 1 ? '' : 's'}`;
  if (wasmPathsApplied) return { count: threads, why };
  // The threaded build needs cross-origin isolation and its .wasm file; below two threads it only costs.
  if (threads < 2) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  else wasm.setThreadsCount(threads);
  if (paths !== undefined) {
    if (typeof paths === 'string') {
      wasm.setWasmPaths(paths.endsWith('/') ? paths : `${paths}/`);
    } else {
      const simd = paths['tfjs-backend-wasm-simd.wasm'];
      const plain = paths['tfjs-backend-wasm.wasm'] ?? simd;
      if (simd === undefined || plain === undefined) throw new Error('wasmPaths must name tfjs-backend-wasm-simd.wasm');
      // tfjs insists on all three names; the threaded one is never fetched while multithreading is off.
      wasm.setWasmPaths({
        'tfjs-backend-wasm.wasm': plain,
        'tfjs-backend-wasm-simd.wasm': simd,
        'tfjs-backend-wasm-threaded-simd.wasm': paths['tfjs-backend-wasm-threaded-simd.wasm'] ?? simd,
      });
    }
  }
  wasmPathsApplied = true;
  return { count: threads, why };
}

function describeAdapter(adapter: GPUAdapter): { fallbackAdapter: boolean; description: string } {
  const info = (adapter as GPUAdapter & { info?: GPUAdapterInfo & { isFallbackAdapter?: boolean } }).info;
  const fallbackAdapter = info?.isFallbackAdapter ?? (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false;
  const parts = [info?.vendor, info?.architecture, info?.device, info?.description].filter((part) => part !== undefined && part !== '');
  return { fallbackAdapter, description: parts.length > 0 ? `"${parts.join(' ')}"` : '(no adapter info)' };
}

function createProbeCanvas(): { getContext(kind: string): unknown } | undefined {
  const scope = globalThis as { OffscreenCanvas?: new (w: number, h: number) => { getContext(kind: string): unknown }; document?: Document };
  if (scope.OffscreenCanvas !== undefined) return new scope.OffscreenCanvas(1, 1);
  return scope.document?.createElement('canvas');
}

/** The real environment: browser probes, lazily registered tfjs backends. */
export function tfjsBackendEnvironment(tf: typeof import('@tensorflow/tfjs'), options: TfjsEnvironmentOptions = {}): BackendEnvironment {
  const timeoutMs = options.startTimeoutMs ?? 20_000;
  let wasmThreads: WasmThreads | undefined;
  return {
    async probeWebGpu() {
      const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
      if (gpu === undefined) return { available: false, why: 'navigator.gpu is absent' };
      try {
        const adapter = await withTimeout(gpu.requestAdapter(), timeoutMs, 'requestAdapter()');
        if (adapter === null) return { available: false, why: 'requestAdapter() returned no adapter' };
        return { available: true, ...describeAdapter(adapter) };
      } catch (error) {
        return { available: false, why: (error as Error).message };
      }
    },
    probeWebGl() {
      const canvas = createProbeCanvas();
      if (canvas === undefined) return { available: false, why: 'no canvas in this environment' };
      const gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGLRenderingContext | null;
      if (gl === null) return { available: false, why: 'getContext("webgl2") and getContext("webgl") both returned null' };
      const debugInfo = gl.getExtension('WEBGL_debug_renderer_info');
      const renderer = String(gl.getParameter(debugInfo === null ? gl.RENDERER : debugInfo.UNMASKED_RENDERER_WEBGL));
      gl.getExtension('WEBGL_lose_context')?.loseContext();
      return { available: true, renderer, software: isSoftwareRenderer(renderer) };
    },
    hasWasm() {
      return typeof WebAssembly === 'object' && typeof WebAssembly.instantiate === 'function';
    },
    async start(name) {
      if (name === 'webgpu') await import('@tensorflow/tfjs-backend-webgpu');
      const setup = name === 'wasm' ? await registerWasm(tf, options.wasmPaths, options.wasmThreads) : undefined;
      const started = await withLogicalCoresAtLeast(2 * (setup?.count ?? 0), () =>
        withTimeout(tf.setBackend(name), timeoutMs, `tf.setBackend('${name}')`),
      );
      if (!started) throw new Error(`tf.setBackend('${name}') reported failure (its initialisation error is in the console)`);
      await tf.ready();
      if (setup !== undefined) {
        const count = (await import('@tensorflow/tfjs-backend-wasm')).getThreadsCount();
        wasmThreads = count === setup.count ? setup : { count, why: `${setup.why} asked, ${count} started` };
      }
    },
    wasmThreads: () => wasmThreads ?? { count: 1, why: 'wasm has not started' },
  };
}
