// Reads a model directory (converter/model-format.ts) from any ModelFiles source: validates model.json,
// reads every weight shard with byte progress, checks each against its sha256, and reads vocab.txt.
import type { io } from '@tensorflow/tfjs';
import { INPUT_NAMES, MODEL_FORMAT_VERSION, OUTPUT_NAMES, type BertModelMetadata } from '../../converter/model-format';
import { MissingModelFileError, type ModelFiles } from './model-files';
import type { LoadProgress } from './types';

export interface ModelDirectory {
  /** Everything tf.loadGraphModel needs, weights included. */
  artifacts: io.ModelArtifacts;
  metadata: BertModelMetadata;
  vocabText: string;
  /** Bytes of all weight shards. */
  modelBytes: number;
}

export class ModelFormatError extends Error {
  constructor(source: string, problem: string) {
    super(`${source}: ${problem}. Convert the checkpoint with \`npx bert-convert\` to get a model directory this encoder reads.`);
    this.name = 'ModelFormatError';
  }
}

export class ShardIntegrityError extends Error {
  constructor(
    readonly fileName: string,
    source: string,
    detail: string,
  ) {
    super(`Weight file "${fileName}" in ${source} is corrupted: ${detail}. Download or convert the model again.`);
    this.name = 'ShardIntegrityError';
  }
}

const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/** Bytes a weight occupies in its shard: quantized weights are stored in their quantized dtype. */
function storedBytes(spec: io.WeightsManifestEntry): number {
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  const bytesPerElement = BYTES_PER_ELEMENT[dtype];
  if (bytesPerElement === undefined) throw new Error(`weight "${spec.name}" has unsupported dtype ${dtype}`);
  return spec.shape.reduce((count, dim) => count * dim, 1) * bytesPerElement;
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined) {
    throw new Error(
      'Cannot check the model files: crypto.subtle is unavailable (the page is not served over https or from localhost). ' +
        'Serve the app from a secure origin, or load with { verifyHashes: false }.',
    );
  }
  const digest = await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the parts of model.json the encoder relies on and returns its BERT metadata. */
export function validateModelJson(json: unknown, source: string): BertModelMetadata {
  const fail = (problem: string): never => {
    throw new ModelFormatError(source, problem);
  };
  if (!isRecord(json)) return fail('model.json is not a JSON object');
  if (json.format !== 'graph-model') {
    return fail(`model.json has format ${JSON.stringify(json.format ?? null)}, expected "graph-model" (a tfjs graph model)`);
  }
  if (!isRecord(json.modelTopology) || !Array.isArray(json.modelTopology.node)) fail('model.json has no modelTopology.node list');
  if (!Array.isArray(json.weightsManifest)) fail('model.json has no weightsManifest');
  const metadata = isRecord(json.userDefinedMetadata) ? json.userDefinedMetadata.bert : undefined;
  if (!isRecord(metadata)) return fail('model.json has no userDefinedMetadata.bert, so it was not written by bert-convert');
  if (metadata.formatVersion !== MODEL_FORMAT_VERSION) {
    fail(`model.json has BERT model format version ${String(metadata.formatVersion)}; this encoder reads version ${MODEL_FORMAT_VERSION}: convert the checkpoint again with this version's bert-convert`);
  }
  if (!isRecord(metadata.config) || !isRecord(metadata.tokenizer) || !isRecord(metadata.sha256)) {
    fail('userDefinedMetadata.bert lacks config, tokenizer or sha256');
  }
  const signature = isRecord(json.signature) ? json.signature : {};
  for (const [kind, names] of [['inputs', INPUT_NAMES], ['outputs', OUTPUT_NAMES]] as const) {
    const entries = isRecord(signature[kind]) ? signature[kind] : {};
    const missing = names.filter((name) => !(name in entries));
    if (missing.length > 0) fail(`model.json's signature lacks the ${kind} ${missing.join(', ')}`);
  }
  return metadata as unknown as BertModelMetadata;
}

export interface ReadModelOptions {
  modelJsonName?: string;
  onProgress?: (progress: LoadProgress) => void;
  /** Check every shard and vocab.txt against the sha256 in the metadata (default true). */
  verifyHashes?: boolean;
}

export async function readModelDirectory(files: ModelFiles, options: ReadModelOptions = {}): Promise<ModelDirectory> {
  const modelJsonName = options.modelJsonName ?? 'model.json';
  const source = `${files.description} (${modelJsonName})`;
  const modelJsonText = new TextDecoder().decode(
    await files.read(modelJsonName).catch((error: unknown) => {
      if (error instanceof MissingModelFileError) {
        error.message += '. Is this a model directory written by bert-convert (model.json, weight shards, vocab.txt)?';
      }
      throw error;
    }),
  );
  let json: unknown;
  try {
    json = JSON.parse(modelJsonText);
  } catch (error) {
    throw new ModelFormatError(source, `model.json is not valid JSON (${(error as Error).message})`);
  }
  const metadata = validateModelJson(json, source);
  const modelJson = json as unknown as io.ModelJSON;

  const weightSpecs = modelJson.weightsManifest.flatMap((group) => group.weights);
  const shardNames = modelJson.weightsManifest.flatMap((group) => group.paths);
  let totalBytes: number;
  try {
    totalBytes = weightSpecs.reduce((sum, spec) => sum + storedBytes(spec), 0);
  } catch (error) {
    throw new ModelFormatError(source, (error as Error).message);
  }
  const verifyHashes = options.verifyHashes ?? true;
  let loadedBytes = 0;
  options.onProgress?.({ loadedBytes, totalBytes });
  const onBytes = (newBytes: number) => {
    loadedBytes += newBytes;
    options.onProgress?.({ loadedBytes, totalBytes });
  };

  const readVerified = async (name: string, onChunk?: (n: number) => void): Promise<Uint8Array> => {
    const bytes = await files.read(name, onChunk);
    if (verifyHashes) {
      const expected = metadata.sha256[name];
      if (expected === undefined) throw new ModelFormatError(source, `userDefinedMetadata.bert.sha256 has no hash for "${name}"`);
      const actual = await sha256Hex(bytes);
      if (actual !== expected.toLowerCase()) {
        throw new ShardIntegrityError(name, files.description, `sha256 is ${actual}, model.json expects ${expected} (${bytes.byteLength} bytes read)`);
      }
    }
    return bytes;
  };

  const shards = await Promise.all(shardNames.map((name) => readVerified(name, onBytes)));
  const modelBytes = shards.reduce((sum, shard) => sum + shard.byteLength, 0);
  if (modelBytes !== totalBytes) {
    throw new ShardIntegrityError(
      shardNames.join(', '),
      files.description,
      `the shards hold ${modelBytes} bytes but the weights manifest describes ${totalBytes}`,
    );
  }
  const vocabText = new TextDecoder().decode(await readVerified(metadata.tokenizer.vocabFile));

  const artifacts: io.ModelArtifacts = {
    modelTopology: modelJson.modelTopology,
    format: modelJson.format,
    generatedBy: modelJson.generatedBy,
    convertedBy: modelJson.convertedBy,
    signature: modelJson.signature,
    userDefinedMetadata: modelJson.userDefinedMetadata,
    weightSpecs,
    // Each shard stays its own buffer: tfjs decodes a list of buffers without one big copy.
    weightData: shards.map((shard) =>
      shard.byteOffset === 0 && shard.byteLength === shard.buffer.byteLength
        ? (shard.buffer as ArrayBuffer)
        : (shard.slice().buffer as ArrayBuffer),
    ),
  };
  return { artifacts, metadata, vocabText, modelBytes };
}
