// The Encoder over a loaded graph model: batches by a token budget, pads each batch only to its longest
// member (optionally rounded up to bound GPU shader compiles), runs the model and pools, disposing
// every tensor it creates.
import type * as tfTypes from '@tensorflow/tfjs';
import { padBatch, paddedLength } from '../tokenizer';
import type { Encoding } from '../tokenizer/types';
import type { GraphRunner } from './graph-runner';
import type { BertEncoder, EmbedOptions, Embedding, EncoderInfo, Pooling, SequenceEmbedding } from './types';

type Tf = typeof tfTypes;

/** What the encoder needs from the tokenizer. */
export interface EncoderTokenizer {
  encode(text: string): Encoding;
}

export interface BatchingOptions {
  /** Round each batch's length up to a multiple of this (never past the model's positions). */
  padToMultipleOf: number;
  /** Upper bound of batchSize × paddedLength per model call, to keep memory bounded. */
  maxBatchTokens: number;
}

export const DEFAULT_MAX_BATCH_TOKENS = 4096;

/** A pre-tokenized input that does not fit the model; `index` is its position in the call's list. */
export class InvalidEncodingError extends RangeError {
  constructor(
    readonly index: number,
    readonly problem: string,
  ) {
    super(`encoding ${index} ${problem}`);
    this.name = 'InvalidEncodingError';
  }
}

/** Groups encodings into batches (longest first) whose padded size stays within the token budget. */
export function planBatches(lengths: number[], options: BatchingOptions & { maxLength: number }): number[][] {
  const order = lengths.map((_, index) => index).sort((a, b) => lengths[b] - lengths[a]);
  const batches: number[][] = [];
  let current: number[] = [];
  let currentLength = 0;
  for (const index of order) {
    // Sorted longest first, so a batch's padded length is fixed by its first member.
    if (current.length > 0 && (current.length + 1) * currentLength > options.maxBatchTokens) {
      batches.push(current);
      current = [];
    }
    if (current.length === 0) currentLength = paddedLength(lengths[index], options.padToMultipleOf, options.maxLength);
    current.push(index);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

function normalized(vector: Float32Array): Float32Array {
  let sumOfSquares = 0;
  for (const value of vector) sumOfSquares += value * value;
  const scale = 1 / Math.max(Math.sqrt(sumOfSquares), 1e-12);
  return vector.map((value) => value * scale);
}

/** What one model call returns: a graph output, or `cls` = sequence_output[:, 0] sliced before download. */
type BatchOutput = 'pooled_output' | 'mean_pooled' | 'sequence_output' | 'cls';

const POOLING_OUTPUT: Record<Pooling, BatchOutput> = { pooled: 'pooled_output', mean: 'mean_pooled', cls: 'cls' };

/** The loaded model: computes named graph outputs from the three inputs; dispose frees its weights. */
export interface LoadedModel {
  run: GraphRunner;
  dispose(): void;
}

export interface EncoderParts {
  tf: Tf;
  model: LoadedModel;
  tokenizer: EncoderTokenizer;
  /** The vocabulary's [PAD] id. */
  padId: number;
  info: EncoderInfo;
  batching: BatchingOptions;
}

export function createEncoder({ tf, model, tokenizer, padId, info, batching }: EncoderParts): BertEncoder {
  let disposed = false;
  const hidden = info.config.hiddenSize;
  const maxLength = info.config.maxPositions;

  const assertLive = () => {
    if (disposed) throw new Error('This encoder was disposed; load the model again to embed more text.');
  };

  /** Runs the model once on one batch; returns each requested output as [batch, rows, hidden] data (rows = 1 for vectors). */
  async function runBatch(encodings: Encoding[], outputs: BatchOutput[]) {
    assertLive(); // dispose() may have come while earlier batches of the same call were running
    // Another encoder in this page/process may have switched tfjs's global backend since.
    if (tf.getBackend() !== info.backend) await tf.setBackend(info.backend);
    // Rounding up stops at the model's positions.
    const batch = padBatch(encodings, { multipleOf: batching.padToMultipleOf, maxLength, padId });
    const graphOutputs = [...new Set(outputs.map((output) => (output === 'cls' ? 'sequence_output' : output)))];
    const results = tf.tidy(() => {
      const shape: [number, number] = [batch.batchSize, batch.seqLength];
      const inputs = {
        input_word_ids: tf.tensor2d(batch.inputWordIds, shape, 'int32'),
        input_mask: tf.tensor2d(batch.inputMask, shape, 'int32'),
        input_type_ids: tf.tensor2d(batch.inputTypeIds, shape, 'int32'),
      };
      const tensors = model.run(inputs, graphOutputs);
      return outputs.map((output) => {
        if (output !== 'cls') return tensors[graphOutputs.indexOf(output)];
        return tensors[graphOutputs.indexOf('sequence_output')].slice([0, 0, 0], [-1, 1, -1]);
      });
    });
    try {
      const data = (await Promise.all(results.map((result) => result.data()))) as Float32Array[];
      return { data, seqLength: batch.seqLength };
    } finally {
      tf.dispose(results);
    }
  }

  /** Sentence vectors (with `pooling`) and/or per-position vectors, from one model run per batch. */
  async function embedBatches(encodings: Encoding[], want: { pooling?: Pooling; sequences?: boolean }) {
    const vectors = new Array<Float32Array>(encodings.length);
    const sequences = new Array<Float32Array[]>(encodings.length);
    const outputs: BatchOutput[] = [...(want.pooling ? [POOLING_OUTPUT[want.pooling]] : []), ...(want.sequences ? ['sequence_output' as const] : [])];
    const batches = planBatches(encodings.map((encoding) => encoding.inputWordIds.length), { ...batching, maxLength });
    for (const indices of batches) {
      const { data, seqLength } = await runBatch(indices.map((index) => encodings[index]), outputs);
      const [vectorData, sequenceData] = want.pooling ? [data[0], data[1]] : [undefined, data[0]];
      indices.forEach((index, row) => {
        if (vectorData) vectors[index] = vectorData.slice(row * hidden, (row + 1) * hidden);
        if (!sequenceData) return;
        const rowStart = row * seqLength * hidden;
        sequences[index] = Array.from({ length: encodings[index].inputWordIds.length }, (_, position) =>
          sequenceData.slice(rowStart + position * hidden, rowStart + (position + 1) * hidden),
        );
      });
    }
    return { vectors, sequences };
  }

  const tokenize = (texts: string[]) => texts.map((text) => tokenizer.encode(text));

  /** Encodings from outside (e.g. bert-tokenize output) must fit the model, or the gathers read out of range. */
  function checkEncodings(encodings: Encoding[]) {
    encodings.forEach((encoding, index) => {
      const { inputWordIds, inputMask, inputTypeIds } = encoding;
      if (inputWordIds.length > maxLength) throw new InvalidEncodingError(index, `has ${inputWordIds.length} positions; the model has ${maxLength}`);
      if (inputMask.length !== inputWordIds.length || inputTypeIds.length !== inputWordIds.length) {
        throw new InvalidEncodingError(index, 'has input_word_ids, input_mask and input_type_ids of different lengths');
      }
      const badId = inputWordIds.find((id) => !Number.isInteger(id) || id < 0 || id >= info.config.vocabSize);
      if (badId !== undefined) throw new InvalidEncodingError(index, `has word id ${badId}, outside the vocabulary [0, ${info.config.vocabSize})`);
      const badMask = inputMask.find((value) => value !== 0 && value !== 1);
      if (badMask !== undefined) throw new InvalidEncodingError(index, `has input_mask value ${badMask}; it must be 0 or 1`);
      const badType = inputTypeIds.find((id) => !Number.isInteger(id) || id < 0 || id >= info.config.typeVocabSize);
      if (badType !== undefined) throw new InvalidEncodingError(index, `has type id ${badType}, outside [0, ${info.config.typeVocabSize})`);
    });
  }

  /** Checked encodings -> sentence vectors (pooled, normalised as asked) and, with `withSequences`, per-position vectors. */
  const embedChecked = async (encodings: Encoding[], options: EmbedOptions, withSequences: boolean) => {
    assertLive();
    checkEncodings(encodings);
    if (encodings.length === 0) return { vectors: [], sequences: [] };
    const result = await embedBatches(encodings, { pooling: options.pooling ?? 'pooled', sequences: withSequences });
    return options.normalize ? { ...result, vectors: result.vectors.map(normalized) } : result;
  };
  const embedEncodings = async (encodings: Encoding[], options: EmbedOptions = {}) => (await embedChecked(encodings, options, false)).vectors;

  return {
    info,
    tokenize(texts) {
      assertLive();
      return tokenize(texts);
    },
    embedEncodings,
    embedEncodingsWithSequences: (encodings, options = {}) => embedChecked(encodings, options, true),
    async embedSequenceEncodings(encodings) {
      assertLive();
      checkEncodings(encodings);
      return encodings.length === 0 ? [] : (await embedBatches(encodings, { sequences: true })).sequences;
    },
    async embed(texts, options = {}): Promise<Embedding[]> {
      assertLive();
      const encodings = tokenize(texts);
      const vectors = await embedEncodings(encodings, options);
      return texts.map((text, index) => ({ text, encoding: encodings[index], vector: vectors[index] }));
    },
    async embedSequence(texts): Promise<SequenceEmbedding[]> {
      assertLive();
      const encodings = tokenize(texts);
      const { sequences } = encodings.length === 0 ? { sequences: [] } : await embedBatches(encodings, { sequences: true });
      return texts.map((text, index) => ({ text, encoding: encodings[index], vectors: sequences[index] }));
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      model.dispose();
    },
  };
}
