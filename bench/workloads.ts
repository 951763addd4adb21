// The encoder benchmark's workloads, shared by its Node half (bench/encoder.ts) and its browser half (the
// benchmark page, bench/peers/page/main.ts): texts of exact token lengths and TF Hub-style padding.
import type { Encoding } from '../src/tokenizer/types';

/** A text of `tokens` positions including [CLS] and [SEP]: common words that are one wordpiece each. */
export const textOfLength = (tokens: number) => Array.from({ length: tokens - 2 }, (_, i) => ['the', 'cat', 'sat', 'on', 'a', 'mat'][i % 6]).join(' ');

/** The latency workload: one 16-token sentence. */
export const LATENCY_TEXT = textOfLength(16);

/** The batch workload: 32 sentences of 8 to 64 tokens. */
export const MIXED_TEXTS = Array.from({ length: 32 }, (_, i) => textOfLength(8 + Math.round((i * 56) / 31)));

/** As TF Hub's preprocess model pads: every sequence to `length` positions. */
export function paddedTo(encoding: Encoding, length: number): Encoding {
  const pad = length - encoding.inputWordIds.length;
  return {
    ...encoding,
    inputWordIds: [...encoding.inputWordIds, ...Array(pad).fill(0)],
    inputMask: [...encoding.inputMask, ...Array(pad).fill(0)],
    inputTypeIds: [...encoding.inputTypeIds, ...Array(pad).fill(0)],
  };
}
