// The contract between the converter (which writes a model directory) and the encoder (which loads it).
// A model directory holds model.json (a tfjs graph model), its weight shards and vocab.txt.
import type { BertConfig } from './canonical';
import type { TokenizerMode } from '../src/tokenizer/types';

/** 2: input_mask becomes float through Gathers (no Cast), which the encoder's graph runner relies on. */
export const MODEL_FORMAT_VERSION = 2;

/** Signature keys of the graph model; also the node names, so they survive any loader. */
export const INPUT_NAMES = ['input_word_ids', 'input_mask', 'input_type_ids'] as const;
export const OUTPUT_NAMES = ['pooled_output', 'sequence_output', 'mean_pooled'] as const;

export type Quantization = 'float32' | 'float16' | 'uint8';

/** model.json's `userDefinedMetadata.bert`. */
export interface BertModelMetadata {
  formatVersion: number;
  config: BertConfig;
  tokenizer: {
    mode: TokenizerMode;
    lowercase: boolean;
    vocabFile: string; // relative to model.json, normally "vocab.txt"
    vocabSize: number;
    specialIds: { pad: number; unk: number; cls: number; sep: number; mask?: number };
  };
  /** Where the weights came from: a path, TF Hub handle or URL, and its format. */
  source: { description: string; format: 'tfhub-savedmodel' | 'tf1-checkpoint' | 'huggingface' | 'random' };
  quantization: Quantization;
  /** sha256 (hex) of every weight shard and of vocab.txt, keyed by file name. */
  sha256: Record<string, string>;
  /** Names of source tensors that were not part of the encoder (optimizer slots, task heads, ...). */
  ignoredTensors: string[];
  /** Set on models generated from seeded random weights: their similarities mean nothing. */
  demo?: boolean;
}
