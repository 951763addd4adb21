// Node context for the browser figures: our encoder on tfjs-backend-wasm against transformers.js on
// onnxruntime-node (native CPU), same model, same sentences, A/B alternated after warm-up.
import os from 'node:os';
import { env, pipeline, type FeatureExtractionPipeline } from '@huggingface/transformers';
import { loadEncoder } from '../../src/encoder/node';
import { cosine } from '../../src/analysis/similarity';
import type { PeerModels } from './models';
import { MODEL_URLS } from './page/protocol';
import type { BenchSentences } from './sentences';
import { median, type Sample } from './stats';

export interface NodeFigures {
  oneSentence: { ours: Sample; theirs: Sample };
  batch32: { ours: Sample; theirs: Sample };
  description: string;
}

/** Idle time before each timed call: onnxruntime-node's threads spin for a while after its runs. */
const SETTLE_MS = 250;

async function alternate(run: { ours: () => Promise<unknown>; theirs: () => Promise<unknown> }, warmUp: number, repetitions: number) {
  const sides = ['ours', 'theirs'] as const;
  for (let i = 0; i < warmUp; i++) for (const side of sides) await run[side]();
  const times = { ours: [] as number[], theirs: [] as number[] };
  for (let i = 0; i < repetitions; i++) {
    for (const side of i % 2 === 0 ? sides : ([...sides].reverse() as typeof sides[number][])) {
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      const start = performance.now();
      await run[side]();
      times[side].push(performance.now() - start);
    }
  }
  return { ours: median(times.ours), theirs: median(times.theirs) };
}

export async function benchNode(models: PeerModels, sentences: BenchSentences, log: (line: string) => void): Promise<NodeFigures> {
  log('Node: loading ours (tfjs-wasm) and transformers.js (onnxruntime-node)');
  const ours = await loadEncoder(models.ours, { backend: 'wasm' });
  env.allowRemoteModels = false;
  env.localModelPath = `${models.transformersJsRoot}/`;
  const theirs = (await pipeline('feature-extraction', MODEL_URLS.theirsName, { device: 'cpu', dtype: 'fp32' })) as FeatureExtractionPipeline;
  try {
    const texts = [sentences.one, ...sentences.batch.slice(0, 4)];
    const ourVectors = (await ours.embed(texts, { pooling: 'mean' })).map((embedding) => embedding.vector);
    const theirVectors = ((await theirs(texts, { pooling: 'mean' })).tolist() as number[][]);
    const worst = Math.min(...ourVectors.map((vector, i) => cosine(vector, theirVectors[i])));
    if (!(worst >= 0.9999)) throw new Error(`Node: ours and transformers.js disagree, lowest cosine ${worst}`);
    const embedOurs = (texts: string[]) => () => ours.embed(texts, { pooling: 'mean' });
    const embedTheirs = (texts: string[]) => () => theirs(texts, { pooling: 'mean' });
    log('Node: one sentence');
    const oneSentence = await alternate({ ours: embedOurs([sentences.one]), theirs: embedTheirs([sentences.one]) }, 3, 15);
    log('Node: batch 32');
    const batch32 = await alternate({ ours: embedOurs(sentences.batch), theirs: embedTheirs(sentences.batch) }, 1, 3);
    return {
      oneSentence,
      batch32,
      description:
        `Node ${process.version}, ${os.cpus().length} logical CPUs; ours on tfjs-backend-wasm (SIMD, 1 thread), ` +
        `transformers.js on onnxruntime-node (native CPU execution provider, its default thread count); lowest cosine ${worst.toFixed(6)}; ` +
        `each call after a ${SETTLE_MS} ms idle pause (onnxruntime-node's threads spin after its runs and slowed ours by a third without it).`,
    };
  } finally {
    ours.dispose();
    await theirs.dispose();
  }
}
