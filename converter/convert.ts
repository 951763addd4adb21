// One conversion: source (TF Hub SavedModel, google-research checkpoint, Hugging Face directory,
// or seeded random weights) -> canonical BERT -> validated -> tfjs graph model directory.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateWeights, type BertConfig, type CanonicalBert } from './canonical';
import { buildBertGraph } from './graph/bert-graph';
import type { BuiltGraph } from './graph/graph-def';
import { MODEL_FORMAT_VERSION, type BertModelMetadata, type Quantization } from './model-format';
import { assertOutputWritable, writeModel, type WrittenModel } from './model-writer';
import { resolveSource } from './download';
import { readHuggingFace } from './sources/huggingface';
import { readTf1Checkpoint } from './sources/tf1';
import { readTfHubSavedModel } from './sources/tfhub';
import { randomBert, randomConfig, RANDOM_PRESETS, type RandomPreset } from './random-bert';
import { cosine, maxAbsDiff } from '../src/analysis/similarity';
import { padBatch, tokenizerFromVocab } from '../src/tokenizer';
import { parseVocab, type Vocab } from '../src/tokenizer/vocab';
import type { TokenBatch } from './node-runner';

export type SourceFormat = BertModelMetadata['source']['format'];
type CheckpointFormat = Exclude<SourceFormat, 'random'>;

export interface ConvertOptions {
  /** Local directory, URL, TF Hub handle, .tar.gz, or `random:PRESET` (tiny | mini | base). */
  from: string;
  /** Download cache root (default $BERT_TFJS_CACHE, else ~/.cache/bert-tfjs). */
  cacheDir?: string;
  out: string;
  quantize?: Quantization;
  force?: boolean;
  /** TF checkpoints with 2-D attention kernels and no bert_config.json: the number of attention heads. */
  numHeads?: number;
  /** Random sources: PRNG seed (default 0). */
  seed?: number;
  /** Random sources: vocabulary file; default the English uncased BERT vocabulary in ../shared/vocab. */
  vocab?: string;
  /** Random sources: GELU variant (default erf). */
  gelu?: BertConfig['gelu'];
  /** Quantized output: compare pooled_output against float32 on fixed inputs (default true). */
  checkQuantization?: boolean;
  onLog?: (line: string) => void;
}

export interface QuantizationError {
  /** Largest |quantized - float32| over every pooled_output value of the check batch. */
  maxAbs: number;
  /** Largest 1 - cosine(quantized, float32) over the check batch's pooled vectors. */
  cosineDistance: number;
}

export interface ConvertResult extends WrittenModel {
  format: SourceFormat;
  config: BertConfig;
  quantization: Quantization;
  ignored: string[];
  quantizationError?: QuantizationError;
}

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_RANDOM_VOCAB = path.resolve(REPO_ROOT, '../shared/vocab/bert-base-uncased-vocab.txt');

/**
 * Which checkpoint format a directory holds, judged by its files. A directory whose only entry is a
 * subdirectory (as archives unpack, e.g. uncased_L-12_H-768_A-12/) is looked into.
 */
export async function detectFormat(dir: string): Promise<{ format: CheckpointFormat; dir: string }> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    throw new Error(`cannot read source directory ${dir}: ${error.code ?? error.message}`);
  });
  const files = new Set(entries.filter((e) => e.isFile()).map((e) => e.name));
  if (files.has('saved_model.pb')) return { format: 'tfhub-savedmodel', dir };
  if ([...files].some((f) => f.endsWith('.index')) && [...files].some((f) => f.includes('.data-'))) return { format: 'tf1-checkpoint', dir };
  if (files.has('config.json') && (files.has('model.safetensors') || files.has('pytorch_model.bin'))) return { format: 'huggingface', dir };
  const subdirs = entries.filter((e) => e.isDirectory());
  if (files.size === 0 && subdirs.length === 1) return detectFormat(path.join(dir, subdirs[0].name));
  const names = entries.map((e) => e.name + (e.isDirectory() ? '/' : ''));
  const listing = names.length === 0 ? '(empty)' : names.slice(0, 12).join(', ') + (names.length > 12 ? `, ... (${names.length} entries)` : '');
  throw new Error(
    `cannot tell the checkpoint format of ${dir} (found: ${listing}). Expected a TF Hub SavedModel ` +
      '(saved_model.pb + variables/), a google-research TF1 checkpoint (*.index + *.data-* + bert_config.json), ' +
      'or a Hugging Face directory (config.json + model.safetensors or pytorch_model.bin).',
  );
}

const READERS: Record<CheckpointFormat, (dir: string, options: { numHeads?: number }) => Promise<CanonicalBert>> = {
  'tfhub-savedmodel': readTfHubSavedModel,
  'tf1-checkpoint': readTf1Checkpoint,
  huggingface: readHuggingFace,
};

function parseRandomSource(from: string): RandomPreset {
  const preset = from.slice('random:'.length);
  if (!(preset in RANDOM_PRESETS)) {
    throw new Error(`unknown random model "${from}"; use one of ${Object.keys(RANDOM_PRESETS).map((p) => `random:${p}`).join(', ')}`);
  }
  return preset as RandomPreset;
}

async function randomSource(options: ConvertOptions): Promise<CanonicalBert> {
  const preset = parseRandomSource(options.from);
  const vocabPath = options.vocab ?? DEFAULT_RANDOM_VOCAB;
  const vocabText = await readFile(vocabPath, 'utf8').catch(() => {
    throw new Error(`random model: cannot read vocabulary ${vocabPath}; pass one with --vocab FILE`);
  });
  const seed = options.seed ?? 0;
  const config = randomConfig(preset, parseVocab(vocabText, vocabPath).tokens.length, options.gelu);
  return { weights: randomBert(config, seed), ignored: [], source: `${options.from} (seed ${seed}, vocabulary ${path.basename(vocabPath)})`, vocabText };
}

export async function convert(options: ConvertOptions): Promise<ConvertResult> {
  const log = options.onLog ?? (() => {});
  const quantization = options.quantize ?? 'float32';
  assertOutputWritable(options.out, options.force);

  let format: SourceFormat;
  let bert: CanonicalBert;
  if (options.from.startsWith('random:')) {
    format = 'random';
    bert = await randomSource(options);
  } else {
    const local = await resolveSource(options.from, { cacheDir: options.cacheDir, ...(options.onLog ? { log: options.onLog } : {}) });
    const outDir = path.resolve(options.out);
    const sourceDir = path.resolve(local);
    if (sourceDir === outDir || sourceDir.startsWith(outDir + path.sep)) {
      throw new Error(`output directory ${options.out} holds the source checkpoint ${local}; choose another output directory`);
    }
    const detected = await detectFormat(local);
    format = detected.format;
    log(`reading ${format} checkpoint from ${detected.dir}`);
    bert = await READERS[format](detected.dir, { numHeads: options.numHeads });
    for (const note of bert.notes ?? []) log(note);
  }
  validateWeights(bert.weights);
  const { config } = bert.weights;
  const vocab = parseVocab(bert.vocabText, 'vocab.txt');
  if (vocab.tokens.length > config.vocabSize) {
    throw new Error(`vocab.txt has ${vocab.tokens.length} tokens but the model's word embeddings have only ${config.vocabSize} rows`);
  }
  if (vocab.tokens.length < config.vocabSize) log(`note: vocab.txt has ${vocab.tokens.length} tokens, the embeddings ${config.vocabSize} rows`);
  if (bert.ignored.length) log(`ignored ${bert.ignored.length} source tensors that are not part of the encoder (e.g. ${bert.ignored.slice(0, 3).join(', ')})`);

  log(`building graph: ${config.numLayers} layers, hidden ${config.hiddenSize}, ${config.numHeads} heads, GELU ${config.gelu}`);
  const graph = buildBertGraph(bert.weights);
  const metadata: Omit<BertModelMetadata, 'sha256'> = {
    formatVersion: MODEL_FORMAT_VERSION,
    config,
    tokenizer: {
      mode: format === 'huggingface' ? 'hf' : 'tfhub',
      lowercase: config.lowercase,
      vocabFile: 'vocab.txt',
      vocabSize: vocab.tokens.length,
      specialIds: vocab.special,
    },
    // A downloaded source is best described by what the user asked for (URL, handle), not the cache path.
    source: { description: format === 'random' || existsSync(options.from) ? bert.source : `${options.from} (${bert.source})`, format },
    quantization,
    ignoredTensors: bert.ignored,
    ...(format === 'random' ? { demo: true } : {}),
  };
  const written = await writeModel({ dir: options.out, graph, metadata, vocabText: bert.vocabText, force: options.force });
  log(`wrote ${written.dir}: ${written.files.length} files, ${(written.weightBytes / 1e6).toFixed(1)} MB of weights (${quantization})`);

  const result: ConvertResult = { ...written, format, config, quantization, ignored: bert.ignored };
  if (quantization !== 'float32' && options.checkQuantization !== false) {
    result.quantizationError = await measureQuantizationError(graph, written.dir, checkBatch(vocab, metadata.tokenizer));
    log(`quantization error of pooled_output vs float32: max abs ${result.quantizationError.maxAbs.toExponential(2)}, cosine distance ${result.quantizationError.cosineDistance.toExponential(2)}`);
  }
  return result;
}

const CHECK_SENTENCES = ['the quick brown fox jumps over the lazy dog', 'a man is playing a guitar on the street', 'where is the nearest train station'];

/** Fixed sentences through the model's own tokenizer, padded to one batch so that masking is exercised too. */
function checkBatch(vocab: Vocab, settings: BertModelMetadata['tokenizer']): TokenBatch {
  const tokenizer = tokenizerFromVocab(vocab, { mode: settings.mode, lowercase: settings.lowercase });
  const batch = padBatch(tokenizer.encodeBatch(CHECK_SENTENCES), { padId: settings.specialIds.pad });
  const rows = (flat: Int32Array) => Array.from({ length: batch.batchSize }, (_, r) => Array.from(flat.subarray(r * batch.seqLength, (r + 1) * batch.seqLength)));
  return { inputWordIds: rows(batch.inputWordIds), inputMask: rows(batch.inputMask), inputTypeIds: rows(batch.inputTypeIds) };
}

/** Runs the written (quantized) model and its float32 twin on fixed sentences, on tfjs-wasm. */
async function measureQuantizationError(graph: BuiltGraph, dir: string, batch: TokenBatch): Promise<QuantizationError> {
  // Loaded only here: tfjs and its wasm backend are not needed for a plain conversion.
  const runner = await import('./node-runner');
  await runner.useBackend('wasm');
  const reference = await runner.loadBuiltGraph(graph);
  const expected = (await runner.runBert(reference, batch)).pooled;
  reference.dispose();
  const quantized = await runner.loadModelDir(dir);
  const actual = (await runner.runBert(quantized, batch)).pooled;
  quantized.dispose();
  return {
    maxAbs: Math.max(...expected.map((want, row) => maxAbsDiff(actual[row], want))),
    cosineDistance: Math.max(...expected.map((want, row) => 1 - cosine(actual[row], want))),
  };
}
