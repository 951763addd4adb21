import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { BertWeights } from '../../converter/canonical';
import { planBatches } from './encoder';
import { loadEncoder } from './node';
import { maxAbsDiff } from '../analysis/similarity';
import { writeRandomModel, type RandomModel } from '../../tools/test-models';
import type { BertEncoder, Pooling } from './types';

const SENTENCES = [
  'hello world',
  'The quick brown fox jumps over the lazy dog.',
  'a',
  '',
  'BERT turns text into vectors; padding must not change them, whatever the batch holds.',
  'unaffable rephrasing of tokenization',
  'Ünïcödé ăccents and CJK 漢字 too',
];
/** 17 texts of mixed lengths: every sentence, then growing prefixes of a long one. */
const SEVENTEEN = [...SENTENCES, ...Array.from({ length: 10 }, (_, i) => 'one two three four five six seven eight nine ten'.split(' ').slice(0, i + 1).join(' '))];
const POOLINGS: Pooling[] = ['pooled', 'mean', 'cls'];

/** BERT's pooler computed here in plain JS from the weights: tanh(cls · kernel + bias). */
function poolerOf(weights: BertWeights, cls: Float32Array): number[] {
  const { kernel, bias } = weights.pooler;
  const size = bias.data.length;
  return Array.from({ length: size }, (_, out) => {
    let sum = bias.data[out];
    for (let i = 0; i < cls.length; i++) sum += cls[i] * kernel.data[i * size + out];
    return Math.tanh(sum);
  });
}

let model: RandomModel;
beforeAll(async () => {
  model = await writeRandomModel({ preset: 'tiny', seed: 11 });
});
afterAll(() => model?.remove());

describe.each(['cpu', 'wasm'] as const)('encoder on %s', (backend) => {
  let encoder: BertEncoder;
  beforeAll(async () => {
    encoder = await loadEncoder(model.dir, { backend });
  });
  afterAll(() => encoder?.dispose());

  it('reports what it loaded', async () => {
    expect(encoder.info.backend).toBe(backend);
    expect(encoder.info.backendReason).toMatch(new RegExp(`^${backend} was requested`));
    // Node has no cross-origin isolation: tfjs-wasm runs its single-threaded build, and says so.
    expect(encoder.info.threads).toBe(1);
    if (backend === 'wasm') expect(encoder.info.backendReason).toContain('one thread');
    expect(encoder.info.config).toMatchObject({ hiddenSize: 32, numLayers: 2, maxPositions: 64 });
    expect(encoder.info.quantization).toBe('float32');
    expect(encoder.info.demo).toBe(true); // written from random weights by the converter
    const shards = (await readdir(model.dir)).filter((name) => name.endsWith('.bin'));
    const shardBytes = (await Promise.all(shards.map((name) => stat(path.join(model.dir, name))))).reduce((sum, s) => sum + s.size, 0);
    expect(encoder.info.modelBytes).toBe(shardBytes);
  });

  it('cls pooling is sequence_output at [CLS]; mean pooling is the mean over the real tokens', async () => {
    const sequences = await encoder.embedSequence(SENTENCES);
    const cls = await encoder.embed(SENTENCES, { pooling: 'cls' });
    const mean = await encoder.embed(SENTENCES, { pooling: 'mean' });
    sequences.forEach((sequence, i) => {
      expect(sequence.vectors).toHaveLength(sequence.encoding.tokens.length);
      expect(maxAbsDiff(cls[i].vector, sequence.vectors[0])).toBeLessThan(1e-6);
      const average = sequence.vectors[0].map((_, d) => sequence.vectors.reduce((sum, v) => sum + v[d], 0) / sequence.vectors.length);
      expect(maxAbsDiff(mean[i].vector, average)).toBeLessThan(1e-5);
    });
  });

  it('pooled pooling is tanh(cls · pooler kernel + bias)', async () => {
    const weights = model.weights();
    const cls = await encoder.embed(SENTENCES, { pooling: 'cls' });
    const pooled = await encoder.embed(SENTENCES, { pooling: 'pooled' });
    pooled.forEach((embedding, i) => expect(maxAbsDiff(embedding.vector, poolerOf(weights, cls[i].vector))).toBeLessThan(1e-5));
  });

  it('normalize gives unit vectors in the same direction', async () => {
    const raw = await encoder.embed(SENTENCES, { pooling: 'mean' });
    const unit = await encoder.embed(SENTENCES, { pooling: 'mean', normalize: true });
    unit.forEach((embedding, i) => {
      const norm = Math.hypot(...raw[i].vector);
      expect(Math.hypot(...embedding.vector)).toBeCloseTo(1, 5);
      expect(maxAbsDiff(embedding.vector, raw[i].vector.map((v) => v / norm))).toBeLessThan(1e-6);
    });
  });

  it.each(POOLINGS)('padding in batches of 1, 3 and 17 leaves %s vectors unchanged', async (pooling) => {
    const alone = await Promise.all(SEVENTEEN.map(async (text) => (await encoder.embed([text], { pooling }))[0].vector));
    for (const size of [3, 17]) {
      const texts = SEVENTEEN.slice(0, size);
      const batched = await encoder.embed(texts, { pooling });
      batched.forEach((embedding, i) => expect(maxAbsDiff(embedding.vector, alone[i])).toBeLessThan(1e-5));
    }
  });

  it('rounded-up lengths and token-budget splits change nothing', async () => {
    const bucketed = await loadEncoder(model.dir, { backend, padToMultipleOf: 16, maxBatchTokens: 64 });
    try {
      const reference = await encoder.embed(SEVENTEEN, { pooling: 'mean' });
      const result = await bucketed.embed(SEVENTEEN, { pooling: 'mean' });
      result.forEach((embedding, i) => expect(maxAbsDiff(embedding.vector, reference[i].vector)).toBeLessThan(1e-5));
    } finally {
      bucketed.dispose();
    }
  });

  it('gives sentence and per-position vectors together from one model run, equal to asking for each', async () => {
    const encodings = encoder.tokenize(SEVENTEEN);
    const sequences = await encoder.embedSequenceEncodings(encodings);
    for (const pooling of POOLINGS) {
      const options = { pooling, normalize: pooling === 'mean' };
      const vectors = await encoder.embedEncodings(encodings, options);
      const together = await encoder.embedEncodingsWithSequences(encodings, options);
      expect(together.vectors).toEqual(vectors);
      expect(together.sequences).toEqual(sequences);
    }
    // One run computes the shared layers once: fewer kernels than the two calls.
    const kernels = async (work: () => Promise<unknown>) => (await tf.profile(async () => void (await work()))).kernels.length;
    const separate = (await kernels(() => encoder.embedEncodings(encodings.slice(0, 3)))) + (await kernels(() => encoder.embedSequenceEncodings(encodings.slice(0, 3))));
    expect(await kernels(() => encoder.embedEncodingsWithSequences(encodings.slice(0, 3)))).toBeLessThan(separate * 0.7);
  });

  it('handles empty input, an empty string and a 1 MB string', async () => {
    expect(await encoder.embed([])).toEqual([]);
    expect(await encoder.embedSequence([])).toEqual([]);
    const [empty] = await encoder.embed(['']);
    expect(empty.encoding.tokens).toEqual(['[CLS]', '[SEP]']);
    expect(empty.vector).toHaveLength(32);
    expect(empty.vector.every(Number.isFinite)).toBe(true);

    const huge = 'lorem ipsum dolor '.repeat(60_000).slice(0, 1_000_000);
    const [long] = await encoder.embed([huge], { pooling: 'mean' });
    expect(long.encoding.truncated).toBe(true);
    expect(long.encoding.tokens).toHaveLength(64);
    expect(long.vector.every(Number.isFinite)).toBe(true);
  });

  it('rejects pre-tokenized input that does not fit the model', async () => {
    const [encoding] = encoder.tokenize(['hello']);
    await expect(encoder.embedEncodings([{ ...encoding, inputWordIds: [101, 40000, 102] }])).rejects.toThrow(/word id 40000, outside the vocabulary/);
    const tooLong = { ...encoding, inputWordIds: Array(65).fill(101), inputMask: Array(65).fill(1), inputTypeIds: Array(65).fill(0) };
    await expect(encoder.embedEncodings([tooLong])).rejects.toThrow(/65 positions; the model has 64/);
    const softMask = { ...encoding, inputMask: encoding.inputMask.map(() => 0.5) };
    await expect(encoder.embedEncodings([softMask])).rejects.toThrow(/input_mask value 0.5; it must be 0 or 1/);
  });

  it('leaves no tensors behind after 1,000 sentences', async () => {
    await encoder.embed(['warm up']);
    const before = tf.memory().numTensors;
    const texts = Array.from({ length: 1000 }, (_, i) => `sentence number ${i} ${'word '.repeat(i % 20)}`);
    const embeddings = await encoder.embed(texts, { pooling: 'cls', normalize: true });
    await encoder.embedSequence(texts.slice(0, 50));
    expect(embeddings).toHaveLength(1000);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe.each(['float16', 'uint8'] as const)('a %s-quantized model', (quantize) => {
  it('loads with its smaller shards and embeds close to float32', async () => {
    const quantized = await writeRandomModel({ preset: 'tiny', seed: 11, quantize });
    const [full, small] = await Promise.all([loadEncoder(model.dir, { backend: 'wasm' }), loadEncoder(quantized.dir, { backend: 'wasm' })]);
    try {
      expect(small.info.quantization).toBe(quantize);
      expect(small.info.modelBytes).toBeLessThan(full.info.modelBytes * (quantize === 'uint8' ? 0.3 : 0.55));
      const reference = await full.embed(SENTENCES, { pooling: 'mean', normalize: true });
      const result = await small.embed(SENTENCES, { pooling: 'mean', normalize: true });
      result.forEach((embedding, i) => {
        // Different sentences on this random model lie at cosine distance ≈ 0.07–0.13 from each other.
        const cosineDistance = 1 - embedding.vector.reduce((sum, v, d) => sum + v * reference[i].vector[d], 0);
        expect(cosineDistance).toBeLessThan(quantize === 'uint8' ? 1e-3 : 1e-6);
      });
    } finally {
      full.dispose();
      small.dispose();
      await quantized.remove();
    }
  });
});

describe('dispose', () => {
  it('frees the weights and refuses further work', async () => {
    const before = tf.memory().numTensors;
    const encoder = await loadEncoder(model.dir, { backend: 'cpu' });
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    encoder.dispose();
    expect(tf.memory().numTensors).toBe(before);
    await expect(encoder.embed(['x'])).rejects.toThrow(/disposed/);
  });
});

describe('planBatches', () => {
  it('keeps every batch within the token budget and uses every index once', () => {
    const lengths = [5, 64, 3, 17, 17, 40, 2, 9, 33, 12];
    const batches = planBatches(lengths, { padToMultipleOf: 16, maxBatchTokens: 64, maxLength: 64 });
    expect(batches.flat().sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
    for (const batch of batches) {
      const padded = Math.ceil(Math.max(...batch.map((i) => lengths[i])) / 16) * 16;
      expect(batch.length === 1 || batch.length * padded <= 64).toBe(true);
    }
  });

  it('never pads past the model positions', () => {
    const batches = planBatches([10, 10, 10], { padToMultipleOf: 16, maxBatchTokens: 36, maxLength: 12 });
    expect(batches).toEqual([[0, 1, 2]]);
  });
});
