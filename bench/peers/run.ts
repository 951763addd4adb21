// `npm run bench:peers`: our encoder against transformers.js on the same random BERT-base weights, in
// one headless Chromium (wasm, webgl, webgpu) and in Node (tfjs-wasm against onnxruntime-node).
// Before any timing, both sides must give the same token ids and mean-pooled vectors (cosine >= 0.9999).
// Writes the table into BENCHMARKS.md ("## Against transformers.js"); the last line printed is one JSON
// object of ratios, time ours / time theirs (lower is better).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from '@playwright/test';
import { build } from 'vite';
import { cosine } from '../../src/analysis/similarity';
import { CHROMIUM_ARGS, CHROMIUM_PATH, packageDist } from './chromium';
import { preparePeerModels, REPO_ROOT } from './models';
import { benchNode, type NodeFigures } from './node';
import { MODEL_URLS, type RunnerKey } from './page/protocol';
import { PAGE_OUT_DIR } from './page/vite.config';
import { benchSentences, type BenchSentences } from './sentences';
import { startStaticServer, type StaticServer } from './server';
import { formatMs, median, type Sample } from './stats';

const AGREEMENT = 0.9999;
const SECTIONS = ['wasm', 'cold', 'memory', 'webgpu', 'webgl', 'isolated', 'node'] as const;
type Section = (typeof SECTIONS)[number];
const { values: args } = parseArgs({
  options: {
    // e.g. --sections wasm,isolated while working on one figure; the table marks the rest n/a.
    sections: { type: 'string', default: SECTIONS.join(',') },
    'no-write': { type: 'boolean', default: false },
    // A converted model directory to measure instead of converting the reference model afresh.
    'ours-dir': { type: 'string' },
  },
});
const sections = new Set(args.sections.split(',').filter((name) => name !== ''));
for (const name of sections) if (!(SECTIONS as readonly string[]).includes(name)) throw new Error(`unknown section "${name}"; use ${SECTIONS.join(', ')}`);
const runs = (section: Section) => sections.has(section);

const log = (line: string) => console.error(`[bench:peers] ${line}`);
async function rendererPids(cdp: CDPSession): Promise<number[]> {
  const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: Array<{ type: string; id: number }> };
  return processInfo.filter((process) => process.type === 'renderer').map((process) => process.id);
}

/** Current and peak resident memory (VmRSS, VmHWM) of a process, in bytes. */
async function residentMemory(pid: number): Promise<{ current: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => {
    const match = new RegExp(`${name}:\\s+(\\d+) kB`).exec(status);
    if (!match) throw new Error(`/proc/${pid}/status has no ${name} line`);
    return Number(match[1]) * 1024;
  };
  return { current: field('VmRSS'), peak: field('VmHWM') };
}

class Bench {
  private constructor(
    private readonly browser: Browser,
    private readonly context: BrowserContext,
    private readonly profile: string,
    private readonly cdp: CDPSession,
    private readonly server: StaticServer,
    readonly outsideRequests: string[],
  ) {}

  /**
   * A persistent profile on disk, as a user's browser has: an incognito context keeps its caches in
   * memory with a small quota, where transformers.js could not store the 440 MB model.
   */
  static async start(server: StaticServer): Promise<Bench> {
    const profile = await mkdtemp(path.join(os.tmpdir(), 'bench-peers-profile-'));
    const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    const browser = context.browser();
    if (browser === null) throw new Error('Playwright gave no browser for the persistent context');
    const outsideRequests: string[] = [];
    context.on('request', (request) => {
      const url = new URL(request.url());
      if ((url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'ws:') && url.hostname !== '127.0.0.1') outsideRequests.push(request.url());
    });
    return new Bench(browser, context, profile, await browser.newBrowserCDPSession(), server, outsideRequests);
  }

  /** Opens the page (`query` for cold starts). */
  async open(query = ''): Promise<Page> {
    const page = await this.context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') log(`page console: ${message.text()}`);
    });
    page.on('pageerror', (error) => log(`page error: ${error.message}`));
    page.on('response', (response) => {
      if (response.status() >= 400) log(`HTTP ${response.status()} for ${response.url()}`);
    });
    await page.goto(`${this.server.origin}/${query}`);
    return page;
  }

  /**
   * Peak RSS of the renderer that holds the most memory now: with one page open, that page's (Chromium
   * keeps a spare, nearly empty renderer besides it, so "the new process" would be the wrong one).
   */
  async largestRendererPeak(): Promise<number> {
    const memories = await Promise.all((await rendererPids(this.cdp)).map(residentMemory));
    if (memories.length === 0) throw new Error('Chromium reported no renderer process');
    return memories.reduce((largest, memory) => (memory.current > largest.current ? memory : largest)).peak;
  }

  get browserVersion(): string {
    return this.browser.version();
  }

  async close(): Promise<void> {
    await this.context.close();
    await rm(this.profile, { recursive: true, force: true });
  }
}

const load = (page: Page, key: RunnerKey) => page.evaluate((k) => window.peerBench.load(k), key);
const time = (page: Page, key: RunnerKey, texts: string[]) => page.evaluate(([k, t]) => window.peerBench.time(k, t), [key, texts] as const);

/** Same ids and same mean vectors, or the benchmark stops: otherwise it would time different work. */
async function checkAgreement(page: Page, ours: RunnerKey, theirs: RunnerKey, texts: string[], expectedLengths: number[]): Promise<number> {
  const [ourIds, theirIds] = await Promise.all([ours, theirs].map((key) => page.evaluate(([k, t]) => window.peerBench.tokenIds(k, t), [key, texts] as const)));
  texts.forEach((text, i) => {
    if (JSON.stringify(ourIds[i]) !== JSON.stringify(theirIds[i])) throw new Error(`token ids differ for "${text}": ours ${ourIds[i]} theirs ${theirIds[i]}`);
    if (ourIds[i].length !== expectedLengths[i]) throw new Error(`"${text}" has ${ourIds[i].length} tokens, expected ${expectedLengths[i]}`);
  });
  const ourVectors = await page.evaluate(([k, t]) => window.peerBench.vectors(k, t), [ours, texts] as const);
  const theirVectors = await page.evaluate(([k, t]) => window.peerBench.vectors(k, t), [theirs, texts] as const);
  const worst = Math.min(...ourVectors.map((vector, i) => cosine(vector, theirVectors[i])));
  if (!(worst >= AGREEMENT)) throw new Error(`${ours} and ${theirs} disagree: lowest cosine ${worst} < ${AGREEMENT} over ${texts.length} texts`);
  log(`${ours} vs ${theirs}: same ids, lowest cosine ${worst.toFixed(7)} over ${texts.length} texts`);
  return worst;
}

/** Alternates A and B (who goes first alternates too) after `warmUp` untimed runs of each. */
/** Idle time before each timed call, so that neither side's wasm thread pool is still spinning from the other's run. */
const SETTLE_MS = 250;

async function alternate(page: Page, keys: [RunnerKey, RunnerKey], texts: string[], warmUp: number, repetitions: number): Promise<Record<string, Sample>> {
  for (let run = 0; run < warmUp; run++) for (const key of keys) await time(page, key, texts);
  const samples: Record<string, number[]> = { [keys[0]]: [], [keys[1]]: [] };
  for (let run = 0; run < repetitions; run++) {
    const order = run % 2 === 0 ? keys : [keys[1], keys[0]];
    for (const key of order) {
      await page.waitForTimeout(SETTLE_MS);
      samples[key].push(await time(page, key, texts));
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([key, values]) => [key, median(values)]));
}

/** Navigation start to first embedding, in a new page per load; the first load of each side only fills the caches. */
async function coldStarts(bench: Bench, sentence: string, repetitions: number): Promise<Record<string, Sample>> {
  const coldStart = async (key: RunnerKey) => {
    const page = await bench.open(`?cold=${key}&text=${encodeURIComponent(sentence)}`);
    await page.waitForFunction(() => window.coldStart !== undefined, undefined, { timeout: 300_000, polling: 50 });
    const result = await page.evaluate(() => window.coldStart!);
    await page.close();
    if ('error' in result) throw new Error(`cold start of ${key} failed: ${result.error}`);
    return result.ms;
  };
  const samples: Record<string, number[]> = { 'ours:wasm': [], 'theirs:wasm': [] };
  for (const key of Object.keys(samples) as RunnerKey[]) await coldStart(key);
  for (let run = 0; run < repetitions; run++) {
    for (const key of (run % 2 === 0 ? ['ours:wasm', 'theirs:wasm'] : ['theirs:wasm', 'ours:wasm']) as RunnerKey[]) samples[key].push(await coldStart(key));
  }
  return Object.fromEntries(Object.entries(samples).map(([key, values]) => [key, median(values)]));
}

interface MemoryFigure {
  peakRendererRss?: number;
  jsHeapUsed?: number;
}

/** One fresh page per side: load, embed the batch once; the renderer's peak RSS and the JS heap after. */
async function memory(bench: Bench, key: RunnerKey, sentences: BenchSentences): Promise<MemoryFigure> {
  const page = await bench.open();
  await load(page, key);
  await time(page, key, sentences.batch);
  const jsHeapUsed = await page.evaluate(() => window.peerBench.usedJsHeapBytes());
  const peakRendererRss = await bench.largestRendererPeak();
  await page.close();
  return { peakRendererRss, jsHeapUsed };
}

interface BrowserFigures {
  agreement: Record<string, number>;
  loadMs: Record<string, number>;
  oneSentence: Record<string, Sample>;
  batch32: Record<string, Sample>;
  coldStart: Record<string, Sample>;
  memory: Record<string, MemoryFigure>;
  matMul?: { backend: string; bestGflops: number; medianGflops: number };
  browserVersion: string;
}

async function benchBrowser(server: StaticServer, sentences: BenchSentences): Promise<BrowserFigures> {
  const bench = await Bench.start(server);
  const figures: BrowserFigures = { agreement: {}, loadMs: {}, oneSentence: {}, batch32: {}, coldStart: {}, memory: {}, browserVersion: bench.browserVersion };
  const oneLength = [16];
  try {
    // wasm against wasm: the main comparison, and the page load that fills the HTTP cache.
    if (runs('wasm')) {
      const page = await bench.open();
      for (const key of ['theirs:wasm', 'ours:wasm'] as RunnerKey[]) figures.loadMs[key] = await load(page, key);
      figures.agreement.wasm = await checkAgreement(page, 'ours:wasm', 'theirs:wasm', [sentences.one, ...sentences.batch], [...oneLength, ...sentences.batchLengths]);
      log('timing one sentence on wasm');
      Object.assign(figures.oneSentence, await alternate(page, ['ours:wasm', 'theirs:wasm'], [sentences.one], 3, 15));
      log('timing batch 32 on wasm');
      Object.assign(figures.batch32, await alternate(page, ['ours:wasm', 'theirs:wasm'], sentences.batch, 1, 3));
      figures.matMul = await page.evaluate(() => window.peerBench.matMulRate());
      await page.close();
    }
    if (runs('cold')) {
      log('cold starts on wasm');
      Object.assign(figures.coldStart, await coldStarts(bench, sentences.one, 3));
    }
    if (runs('memory')) {
      log('peak memory on wasm');
      for (const key of ['ours:wasm', 'theirs:wasm'] as RunnerKey[]) figures.memory[key] = await memory(bench, key, sentences);
    }
    // Software WebGPU/WebGL (SwiftShader) on this machine: a few runs of one sentence only.
    if (runs('webgpu')) {
      log('webgpu: ours against transformers.js (software adapter)');
      const page = await bench.open();
      for (const key of ['theirs:webgpu', 'ours:webgpu'] as RunnerKey[]) figures.loadMs[key] = await load(page, key);
      figures.agreement.webgpu = await checkAgreement(page, 'ours:webgpu', 'theirs:webgpu', [sentences.one], oneLength);
      Object.assign(figures.oneSentence, await alternate(page, ['ours:webgpu', 'theirs:webgpu'], [sentences.one], 1, 3));
      await page.close();
    }
    if (runs('webgl')) {
      log('webgl: ours (transformers.js has no WebGL backend; compared with its wasm)');
      const page = await bench.open();
      for (const key of ['theirs:wasm', 'ours:webgl'] as RunnerKey[]) figures.loadMs[key === 'theirs:wasm' ? 'theirs:wasm (webgl page)' : key] = await load(page, key);
      figures.agreement.webgl = await checkAgreement(page, 'ours:webgl', 'theirs:wasm', [sentences.one], oneLength);
      const webgl = await alternate(page, ['ours:webgl', 'theirs:wasm'], [sentences.one], 1, 3);
      figures.oneSentence['ours:webgl'] = webgl['ours:webgl'];
      figures.oneSentence['theirs:wasm (webgl page)'] = webgl['theirs:wasm'];
      await page.close();
    }
    if (bench.outsideRequests.length > 0) throw new Error(`requests left 127.0.0.1: ${bench.outsideRequests.slice(0, 5).join(', ')}`);
    return figures;
  } finally {
    await bench.close();
  }
}

interface IsolatedFigures {
  threads: { crossOriginIsolated: boolean; hardwareConcurrency: number; tfjsMultithreadSupport: unknown; tfjsWasm?: number; onnxRuntimeWeb?: number };
  oneSentence: Record<string, Sample>;
  batch32: Record<string, Sample>;
}

/** A cross-origin isolated page (COOP/COEP): both runtimes may use wasm threads. */
async function benchIsolated(mounts: Record<string, string>, sentences: BenchSentences): Promise<IsolatedFigures> {
  const server = await startStaticServer(mounts, { crossOriginIsolated: true });
  const bench = await Bench.start(server);
  try {
    const page = await bench.open();
    for (const key of ['theirs:wasm', 'ours:wasm'] as RunnerKey[]) await load(page, key);
    const threads = await page.evaluate(() => window.peerBench.threads());
    if (!threads.crossOriginIsolated) throw new Error('the page served with COOP/COEP is not cross-origin isolated');
    log(`isolated page: ${JSON.stringify(threads)}`);
    await checkAgreement(page, 'ours:wasm', 'theirs:wasm', [sentences.one], [16]);
    const oneSentence = await alternate(page, ['ours:wasm', 'theirs:wasm'], [sentences.one], 3, 15);
    const batch32 = await alternate(page, ['ours:wasm', 'theirs:wasm'], sentences.batch, 1, 3);
    await page.close();
    if (bench.outsideRequests.length > 0) throw new Error(`requests left 127.0.0.1: ${bench.outsideRequests.slice(0, 5).join(', ')}`);
    return { threads, oneSentence, batch32 };
  } finally {
    await bench.close();
    await server.close();
  }
}

// A 16-token BERT-base sentence: 12 layers of QKV, output, FFN matmuls plus attention.
function bertFlops(tokens: number, hidden = 768, intermediate = 3072, layers = 12): number {
  const perLayer = 2 * tokens * (4 * hidden * hidden + 2 * hidden * intermediate) + 4 * tokens * tokens * hidden;
  return layers * perLayer;
}

const ratio = (ours: Sample | undefined, theirs: Sample | undefined) =>
  ours === undefined || theirs === undefined ? undefined : Number((ours.median / theirs.median).toFixed(3));
const mb = (bytes: number | undefined) => (bytes === undefined ? 'n/a' : `${(bytes / 2 ** 20).toFixed(0)} MB`);

function table(browser: BrowserFigures, isolated: IsolatedFigures | undefined, node: NodeFigures | undefined, sentences: BenchSentences, loadAverages: number[]) {
  const ratios: Record<string, number | undefined> = {
    one_sentence_wasm: ratio(browser.oneSentence['ours:wasm'], browser.oneSentence['theirs:wasm']),
    batch32_wasm: ratio(browser.batch32['ours:wasm'], browser.batch32['theirs:wasm']),
    cold_start_wasm: ratio(browser.coldStart['ours:wasm'], browser.coldStart['theirs:wasm']),
    one_sentence_webgpu: ratio(browser.oneSentence['ours:webgpu'], browser.oneSentence['theirs:webgpu']),
    one_sentence_ours_webgl_vs_their_wasm: ratio(browser.oneSentence['ours:webgl'], browser.oneSentence['theirs:wasm (webgl page)']),
    peak_memory_wasm:
      browser.memory['ours:wasm']?.peakRendererRss && browser.memory['theirs:wasm']?.peakRendererRss
        ? Number((browser.memory['ours:wasm'].peakRendererRss / browser.memory['theirs:wasm'].peakRendererRss).toFixed(3))
        : undefined,
    one_sentence_wasm_isolated: ratio(isolated?.oneSentence['ours:wasm'], isolated?.oneSentence['theirs:wasm']),
    batch32_wasm_isolated: ratio(isolated?.batch32['ours:wasm'], isolated?.batch32['theirs:wasm']),
    one_sentence_node: ratio(node?.oneSentence.ours, node?.oneSentence.theirs),
    batch32_node: ratio(node?.batch32.ours, node?.batch32.theirs),
  };
  const flops = bertFlops(16);
  const floorMs = browser.matMul ? flops / (browser.matMul.bestGflops * 1e6) : undefined;
  const ourOne = browser.oneSentence['ours:wasm']?.median;
  const throughput = (sample: Sample | undefined) => (sample === undefined ? 'n/a' : `${((32 * 1000) / sample.median).toFixed(2)} sentences/s`);
  const row = (what: string, ours: string, theirs: string, r: number | undefined) => `| ${what} | ${ours} | ${theirs} | ${r ?? 'n/a'} |`;
  const lines = [
    row('one 16-token sentence, wasm', formatMs(browser.oneSentence['ours:wasm']), formatMs(browser.oneSentence['theirs:wasm']), ratios.one_sentence_wasm),
    row(
      'batch 32 (lengths 8–64, padded to 64), wasm: time per batch',
      `${formatMs(browser.batch32['ours:wasm'])} (${throughput(browser.batch32['ours:wasm'])})`,
      `${formatMs(browser.batch32['theirs:wasm'])} (${throughput(browser.batch32['theirs:wasm'])})`,
      ratios.batch32_wasm,
    ),
    row('cold start (navigation to first embedding, files in HTTP cache), wasm', formatMs(browser.coldStart['ours:wasm']), formatMs(browser.coldStart['theirs:wasm']), ratios.cold_start_wasm),
    row(
      'peak renderer RSS after load + batch 32, wasm (JS heap used)',
      `${mb(browser.memory['ours:wasm']?.peakRendererRss)} (${mb(browser.memory['ours:wasm']?.jsHeapUsed)})`,
      `${mb(browser.memory['theirs:wasm']?.peakRendererRss)} (${mb(browser.memory['theirs:wasm']?.jsHeapUsed)})`,
      ratios.peak_memory_wasm,
    ),
    row('one sentence, webgpu (SwiftShader fallback adapter)', formatMs(browser.oneSentence['ours:webgpu']), formatMs(browser.oneSentence['theirs:webgpu']), ratios.one_sentence_webgpu),
    row('one sentence, ours webgl (SwiftShader) vs their wasm', formatMs(browser.oneSentence['ours:webgl']), formatMs(browser.oneSentence['theirs:wasm (webgl page)']), ratios.one_sentence_ours_webgl_vs_their_wasm),
    row(
      `one sentence, wasm, cross-origin isolated page (threads: ours ${isolated?.threads.tfjsWasm ?? 'n/a'}, theirs ${isolated?.threads.onnxRuntimeWeb ?? 'n/a'})`,
      formatMs(isolated?.oneSentence['ours:wasm']),
      formatMs(isolated?.oneSentence['theirs:wasm']),
      ratios.one_sentence_wasm_isolated,
    ),
    row(
      'batch 32, wasm, cross-origin isolated page',
      `${formatMs(isolated?.batch32['ours:wasm'])} (${throughput(isolated?.batch32['ours:wasm'])})`,
      `${formatMs(isolated?.batch32['theirs:wasm'])} (${throughput(isolated?.batch32['theirs:wasm'])})`,
      ratios.batch32_wasm_isolated,
    ),
    row('Node: one sentence, ours tfjs-wasm vs onnxruntime-node', formatMs(node?.oneSentence.ours), formatMs(node?.oneSentence.theirs), ratios.one_sentence_node),
    row('Node: batch 32, ours tfjs-wasm vs onnxruntime-node', formatMs(node?.batch32.ours), formatMs(node?.batch32.theirs), ratios.batch32_node),
  ];
  const loads = Object.entries(browser.loadMs).map(([key, ms]) => `${key} ${ms.toFixed(0)} ms`).join(', ');
  const agreement = Object.entries(browser.agreement).map(([backend, worst]) => `${backend} ${worst.toFixed(6)}`).join(', ');
  const ourIsolatedOne = isolated?.oneSentence['ours:wasm']?.median;
  const floorLine = floorMs === undefined || ourOne === undefined
    ? ''
    : `FLOP floor: a 16-token BERT-base sentence is ${(flops / 1e9).toFixed(2)} GFLOP; tfjs-wasm matMul [128,768]×[768,3072] ran at ${browser.matMul!.bestGflops.toFixed(1)} GFLOP/s at best (median ${browser.matMul!.medianGflops.toFixed(1)}) in this page after the timings, so the floor is ${floorMs.toFixed(1)} ms and ours is at ${(ourOne / floorMs).toFixed(2)}× of it` +
      (ourIsolatedOne === undefined ? '.' : `; in the cross-origin isolated page, on ${isolated?.threads.tfjsWasm} threads, at ${(ourIsolatedOne / floorMs).toFixed(2)}× of it.`);
  const markdown = [
    '## Against transformers.js',
    '',
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC by \`npm run bench:peers\` (bench/peers/run.ts) on a 2-core x86-64 AVX-512 machine, headless Chromium ${browser.browserVersion} (\`/usr/bin/chromium\`), no GPU (WebGL and WebGPU are SwiftShader). ` +
      'Same weights on both sides: one seeded random BERT-base (L12 H768 A12 I3072, 30,522-token vocabulary, erf GELU) made by tools/reference/make_reference.py, ' +
      'converted by our converter (float32) for us and exported to ONNX (opset 14, fp32) for transformers.js 4.3.1 (onnxruntime-web 1.31 asyncify wasm build, 1 thread: the page is not cross-origin isolated; ours: tfjs-backend-wasm SIMD, 1 thread). ' +
      'Both embed with mean pooling through their public API (our `embed(texts, {pooling: "mean"})`, transformers.js `pipeline("feature-extraction")(texts, {pooling: "mean"})`), tokenization included.',
    '',
    `Before timing, the run checks that both give identical token ids and mean vectors with cosine ≥ ${AGREEMENT} (lowest cosine: ${agreement}). ` +
      `Timings are medians (in brackets: min–max) after warm-up, A/B alternated in one page, each call after a ${SETTLE_MS} ms idle pause: one sentence 15 runs on wasm, 3 on webgpu/webgl; batch 32 3 runs; cold start 3 page loads each. ` +
      'Ratio = ours / theirs (time or memory; lower is better). ' +
      `Batch sentences are ${sentences.batchLengths[0]}–${sentences.batchLengths[31]} tokens; both pad a batch to its longest member. ` +
      'Peak memory is the renderer process\'s VmHWM (peak resident set, /proc) in a fresh page that loads one side and embeds the batch once; the JS heap figure is `performance.memory.usedJSHeapSize` (excludes wasm memory). ' +
      `Model load inside a warm page: ${loads}.`,
    '',
    `1-minute load average during the run: ${loadAverages.map((load) => load.toFixed(1)).join(' → ')} on 2 cores (other jobs share the machine; absolute times suffer, the A/B ratios less).`,
    '',
    '| workload | ours | transformers.js | ratio |',
    '|---|---|---|---|',
    ...lines,
    '',
    node ? `Node: ${node.description}` : 'Node: not measured in this run.',
    '',
    floorLine,
  ].filter((line, index, all) => !(line === '' && all[index - 1] === ''));
  return { ratios, markdown: markdown.join('\n') };
}

async function writeSection(markdown: string): Promise<void> {
  const file = path.join(REPO_ROOT, 'BENCHMARKS.md');
  const existing = await readFile(file, 'utf8').catch(() => '# Benchmarks\n');
  const heading = '## Against transformers.js';
  const start = existing.indexOf(heading);
  let next: string;
  if (start < 0) {
    next = `${existing.trimEnd()}\n\n${markdown}\n`;
  } else {
    const after = existing.indexOf('\n## ', start + heading.length);
    next = `${existing.slice(0, start)}${markdown}\n${after < 0 ? '' : existing.slice(after)}`;
  }
  await writeFile(file, next);
}

async function main(): Promise<void> {
  const loadAverages = [os.loadavg()[0]];
  const models = await preparePeerModels(log, args['ours-dir']);
  const sentences = await benchSentences(path.join(models.ours, 'vocab.txt'));
  log('building the benchmark page');
  await build({ configFile: path.join(REPO_ROOT, 'bench/peers/page/vite.config.ts'), logLevel: 'warn' });
  const mounts = {
    '/': PAGE_OUT_DIR,
    [MODEL_URLS.ours]: models.ours,
    [MODEL_URLS.theirsRoot]: models.transformersJsRoot,
    [MODEL_URLS.tfjsWasm]: packageDist('@tensorflow/tfjs-backend-wasm'),
    [MODEL_URLS.ortWasm]: packageDist('onnxruntime-web'),
  };
  const server = await startStaticServer(mounts);
  let browser: BrowserFigures;
  try {
    browser = await benchBrowser(server, sentences);
  } finally {
    await server.close();
  }
  let isolated: IsolatedFigures | undefined;
  if (runs('isolated')) {
    log('cross-origin isolated page: wasm threads');
    isolated = await benchIsolated(mounts, sentences);
  }
  const node = runs('node') ? await benchNode(models, sentences, log) : undefined;
  loadAverages.push(os.loadavg()[0]);
  const { ratios, markdown } = table(browser, isolated, node, sentences, loadAverages);
  console.log(markdown);
  if (!args['no-write']) await writeSection(markdown);
  console.log(JSON.stringify(ratios));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
