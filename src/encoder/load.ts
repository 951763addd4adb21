// Loads a model directory from any ModelFiles source into a ready Encoder: picks the backend, reads
// and verifies the files, builds the tfjs graph model and the model's own tokenizer.
import * as tf from '@tensorflow/tfjs';
import { createTokenizer } from '../tokenizer';
import { selectBackend, tfjsBackendEnvironment } from './backend';
import { createEncoder, DEFAULT_MAX_BATCH_TOKENS, type LoadedModel } from './encoder';
import { compileGraph, tfKernels, type GraphNode } from './graph-runner';
import { ModelFormatError, readModelDirectory } from './model-directory';
import type { ModelFiles } from './model-files';
import type { BertEncoder, LoadOptions } from './types';
import { wasmRunnerKernels } from './wasm-kernels';

export async function loadEncoderFromFiles(
  files: ModelFiles & { readonly modelJsonName?: string },
  options: LoadOptions = {},
): Promise<BertEncoder> {
  const environment = options.backendEnvironment ?? tfjsBackendEnvironment(tf, { wasmPaths: options.wasmPaths, wasmThreads: options.wasmThreads });
  const { backend, reason } = await selectBackend(options.backend ?? 'auto', environment);
  const threads = backend === 'wasm' ? environment.wasmThreads?.() : undefined;
  const directory = await readModelDirectory(files, {
    modelJsonName: files.modelJsonName,
    onProgress: options.onProgress,
    verifyHashes: options.verifyHashes,
  });
  const { metadata } = directory;
  // Before the weights reach the backend, so that a bad vocabulary leaks no (GPU) memory.
  const tokenizer = createTokenizer(
    directory.vocabText,
    { mode: metadata.tokenizer.mode, lowercase: metadata.tokenizer.lowercase, maxLength: metadata.config.maxPositions },
    `${files.description}${metadata.tokenizer.vocabFile}`,
  );
  const kernels = backend === 'wasm' ? await wasmRunnerKernels(tf) : tfKernels(tf);
  let model: LoadedModel;
  try {
    // tfjs decodes (and dequantizes) the weights; our runner executes the converter's graph on them.
    const graphModel = await tf.loadGraphModel({ load: async () => directory.artifacts });
    try {
      const nodes = (directory.artifacts.modelTopology as { node: GraphNode[] }).node;
      model = { run: compileGraph(tf, nodes, graphModel.weights, kernels), dispose: () => graphModel.dispose() };
    } catch (error) {
      graphModel.dispose();
      throw error;
    }
  } catch (error) {
    throw new ModelFormatError(files.description, `tfjs could not build the graph model (${(error as Error).message})`);
  }
  const onGpu = backend === 'webgl' || backend === 'webgpu';
  const encoder = createEncoder({
    tf,
    model,
    tokenizer,
    padId: metadata.tokenizer.specialIds.pad,
    info: {
      config: metadata.config,
      backend,
      backendReason: threads === undefined ? reason : `${reason}; ${threads.why}`,
      threads: threads?.count ?? 1,
      modelBytes: directory.modelBytes,
      quantization: metadata.quantization,
      source: files.description,
      tokenizer: { mode: metadata.tokenizer.mode, lowercase: metadata.tokenizer.lowercase },
      demo: metadata.demo === true,
    },
    batching: {
      padToMultipleOf: options.padToMultipleOf ?? (onGpu ? 16 : 1),
      maxBatchTokens: options.maxBatchTokens ?? DEFAULT_MAX_BATCH_TOKENS,
    },
  });
  await warmUp(encoder, files.description);
  return encoder;
}

/**
 * Runs every output once on the shortest input, so that a graph this backend cannot run fails here,
 * with the model named, rather than at the first embed (and GPU backends compile their first shaders now).
 */
async function warmUp(encoder: BertEncoder, source: string): Promise<void> {
  try {
    const probe = encoder.tokenize(['']);
    await encoder.embedSequenceEncodings(probe);
    for (const pooling of ['pooled', 'mean'] as const) await encoder.embedEncodings(probe, { pooling });
  } catch (error) {
    encoder.dispose();
    throw new Error(`${source}: the model failed its first run on the ${encoder.info.backend} backend: ${(error as Error).message}`);
  }
}
