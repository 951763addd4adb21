// The BERT forward pass (Devlin et al. 2018) written as a tfjs graph, top to bottom:
//   embeddings -> N x (self-attention -> add & norm -> feed-forward -> add & norm) -> pooler.
// Every op here runs on tfjs's cpu, wasm, webgl and webgpu backends (see ALLOWED_OPS): dense layers
// are MatMuls on [batch·seq, features] rows, never Einsum. Inputs take any batch and sequence length.
import type { BertLayer, BertWeights, Dense, LayerNorm } from '../canonical';
import { INPUT_NAMES, OUTPUT_NAMES } from '../model-format';
import { base64, GraphBuilder, type BuiltGraph, type Tensor } from './graph-def';

/** Ops the graph may contain: the ones every tfjs 4.x backend (cpu, wasm, webgl, webgpu) implements. */
export const ALLOWED_OPS: ReadonlySet<string> = new Set([
  'Placeholder', 'Const', 'Identity',
  'Shape', 'StridedSlice', 'Pack', 'Reshape', 'ExpandDims', 'Transpose',
  'GatherV2', 'MatMul', 'BatchMatMulV2', '_FusedMatMul',
  'AddV2', 'Sub', 'Mul', 'RealDiv', 'Maximum', 'Mean', 'Sum', 'SquaredDifference', 'Rsqrt',
  'Softmax', 'Tanh', 'Erf',
]);

/** Added to attention scores of padding positions. Finite on purpose: WebGL's softmax broke on -1e9. */
const MASKED_SCORE = -10000;

/** Everything a layer needs to reshape activations for the current (run-time) batch and length. */
interface Dims {
  /** Sequence length, an int32 scalar. */
  seq: Tensor;
  /** [batch, seq, 3, heads, head_dim]: the fused query/key/value projection split per head. */
  qkvHeads: Tensor;
  /** [batch, seq, hidden]. */
  sequence: Tensor;
}

export function buildBertGraph(weights: BertWeights): BuiltGraph {
  const { config } = weights;
  const g = new GraphBuilder();
  const H = config.hiddenSize;
  const headDim = H / config.numHeads;
  const [wordIdsName, maskName, typeIdsName] = INPUT_NAMES;
  const wordIds = g.placeholder(wordIdsName, 'DT_INT32', [-1, -1]);
  const inputMask = g.placeholder(maskName, 'DT_INT32', [-1, -1]);
  const typeIds = g.placeholder(typeIdsName, 'DT_INT32', [-1, -1]);

  const dims = g.scope('dims', (): Dims => {
    const inputShape = g.op('Shape', [wordIds], { out_type: { type: 'DT_INT32' }, T: { type: 'DT_INT32' } });
    const batch = shapeElement(g, inputShape, 0, 'batch');
    const seq = shapeElement(g, inputShape, 1, 'seq');
    return {
      seq,
      qkvHeads: pack(g, [batch, seq, g.intScalar(3 * config.numHeads), g.intScalar(headDim)], 'qkv_heads'),
      sequence: pack(g, [batch, seq, g.intScalar(H)], 'sequence'),
    };
  });

  let x = g.scope('embeddings', () => embeddings(g, weights, wordIds, typeIds, dims.seq));
  const maskBias = g.scope('attention_mask', () => attentionMaskBias(g, inputMask));
  let clsRows = x;
  weights.layers.forEach((layer, n) => {
    g.scope(`encoder/layer_${n}`, () => {
      const heads = g.scope('attention', () => attentionHeads(g, weights, layer, x, dims));
      // pooled_output reads only [CLS]: its copy of the last layer attends from that one position and
      // runs the dense layers on one row per sentence (tfjs prunes the full layer when only it is asked).
      if (n === weights.layers.length - 1) clsRows = g.scope('cls', () => clsOfLayer(g, weights, layer, x, heads, maskBias, dims));
      x = encoderLayer(g, weights, layer, x, heads, maskBias);
    });
  });

  const sequence = g.op('Reshape', [x, dims.sequence], {}, 'sequence');
  const [pooledName, sequenceName, meanName] = OUTPUT_NAMES;
  const pooled = g.scope('pooler', () => pooler(g, weights.pooler, clsRows));
  const meanPooled = g.scope('mean_pooling', () => maskedMean(g, sequence, inputMask));
  g.output(pooledName, pooled);
  g.output(sequenceName, sequence);
  g.output(meanName, meanPooled);

  return {
    nodes: g.nodes,
    weights: g.weights,
    inputs: [wordIds, inputMask, typeIds].map((name) => ({ name, dtype: 'DT_INT32' as const, shape: [-1, -1] })),
    outputs: [
      { name: pooledName, dtype: 'DT_FLOAT', shape: [-1, H] },
      { name: sequenceName, dtype: 'DT_FLOAT', shape: [-1, -1, H] },
      { name: meanName, dtype: 'DT_FLOAT', shape: [-1, H] },
    ],
  };
}

/** word + position + token type embeddings, normalised; returns rows [batch·seq, hidden]. */
function embeddings(g: GraphBuilder, weights: BertWeights, wordIds: Tensor, typeIds: Tensor, seq: Tensor): Tensor {
  const { config } = weights;
  const H = config.hiddenSize;
  const table = (name: string, t: { shape: number[]; data: Float32Array }) => g.weight(name, t.shape, t.data, true);
  const words = gather(g, table('word_embeddings', weights.wordEmbeddings), wordIds);
  const types = gather(g, table('token_type_embeddings', weights.typeEmbeddings), typeIds);
  // Positions 0..seq-1 are the first seq rows of the table: slice, no position-id input needed.
  const positionTable = table('position_embeddings', weights.positionEmbeddings);
  const positions = stridedSlice(g, positionTable, g.ints([0, 0]), pack(g, [seq, g.intScalar(H)], 'position_end'), g.ints([1, 1]), {}, 'positions');
  const sum = g.op('AddV2', [g.op('AddV2', [words, types]), positions]);
  const rows = g.op('Reshape', [sum, g.ints([-1, H])], {}, 'rows');
  return layerNorm(g, weights.embeddingNorm, rows, config.layerNormEps);
}

/** [batch, seq] mask of 1 (token) / 0 (padding) -> [batch, 1, 1, seq] additive score bias. */
function attentionMaskBias(g: GraphBuilder, inputMask: Tensor): Tensor {
  const bias = maskLookup(g, inputMask, [MASKED_SCORE, 0], 'score_bias');
  return g.op('ExpandDims', [g.op('ExpandDims', [bias, g.intScalar(1)]), g.intScalar(1)]);
}

/**
 * input_mask (int32, 1 = token, 0 = padding) -> float32 through a two-entry table: a Gather, not a Cast.
 * tfjs-webgpu casts int32 to float32 by relabelling the same buffer, and a float shader that reads it
 * first sees the integers' bits (1 reads as ~1e-45): mean pooling came out as zeros.
 */
function maskLookup(g: GraphBuilder, inputMask: Tensor, [padding, token]: [number, number], name: string): Tensor {
  return gather(g, g.weight(name, [2], Float32Array.of(padding, token)), inputMask);
}

/** Query, key and value per head, each [batch, heads, seq, head_dim]. */
interface AttentionHeads {
  query: Tensor;
  key: Tensor;
  value: Tensor;
}

/** One post-norm encoder layer on rows [batch·seq, hidden], given its attention heads. */
function encoderLayer(g: GraphBuilder, weights: BertWeights, layer: BertLayer, x: Tensor, heads: AttentionHeads, maskBias: Tensor): Tensor {
  const H = weights.config.hiddenSize;
  const context = g.scope('attention', () => attend(g, heads.query, heads, maskBias));
  // [batch, heads, seq, head_dim] -> [batch, seq, heads, head_dim] -> rows [batch·seq, hidden].
  const contextRows = g.op('Reshape', [g.op('Transpose', [context, g.ints([0, 2, 1, 3])]), g.ints([-1, H])]);
  return afterAttention(g, weights, layer, contextRows, x);
}

/** The layer's output at [CLS] only, rows [batch, hidden]: queries from position 0, keys and values from all. */
function clsOfLayer(g: GraphBuilder, weights: BertWeights, layer: BertLayer, x: Tensor, heads: AttentionHeads, maskBias: Tensor, dims: Dims): Tensor {
  const H = weights.config.hiddenSize;
  // heads.query[:, :, 0:1]: begin/end masks keep axes 0, 1 and 3 whole.
  const query = stridedSlice(g, heads.query, g.ints([0, 0, 0, 0]), g.ints([0, 0, 1, 0]), g.ints([1, 1, 1, 1]), { begin_mask: 0b1011, end_mask: 0b1011 }, 'query');
  // [batch, heads, 1, head_dim] is already head-major per row: reshapes straight to [batch, hidden].
  const contextRows = g.op('Reshape', [attend(g, query, heads, maskBias), g.ints([-1, H])]);
  const firstRows = firstPosition(g, g.op('Reshape', [x, dims.sequence]));
  return afterAttention(g, weights, layer, contextRows, firstRows);
}

/** Attention output projection, residual + norm, feed-forward, residual + norm. */
function afterAttention(g: GraphBuilder, weights: BertWeights, layer: BertLayer, contextRows: Tensor, x: Tensor): Tensor {
  const eps = weights.config.layerNormEps;
  const attended = g.scope('attention', () => dense(g, 'output', layer.attentionOutput, contextRows));
  const normed = g.scope('attention/norm', () => layerNorm(g, layer.attentionNorm, g.op('AddV2', [attended, x], {}, 'residual'), eps));
  const transformed = g.scope('ffn', () => feedForward(g, weights, layer, normed));
  return g.scope('output/norm', () => layerNorm(g, layer.outputNorm, g.op('AddV2', [transformed, normed], {}, 'residual'), eps));
}

/**
 * Query, key and value heads from rows [batch·seq, hidden], by one matmul with a [H, 3H] kernel; the
 * queries are pre-scaled by 1/√head_dim at conversion time.
 */
function attentionHeads(g: GraphBuilder, weights: BertWeights, layer: BertLayer, x: Tensor, dims: Dims): AttentionHeads {
  const { hiddenSize: H, numHeads } = weights.config;
  const qkvRows = dense(g, 'qkv', fuseQkv(layer, 1 / Math.sqrt(H / numHeads)), x);
  // [batch, seq, 3·heads, head_dim] -> [batch, 3·heads, seq, head_dim]: one transpose for all three, kept
  // 4-D because tfjs-wasm transposes 5-D tensors ~27× slower (bench: 248 ms vs 9 ms at batch 32 × 64).
  const qkv = g.op('Transpose', [g.op('Reshape', [qkvRows, dims.qkvHeads]), g.ints([0, 2, 1, 3])]);
  const [query, key, value] = ['query', 'key', 'value'].map((name, part) =>
    // qkv[:, part·heads : (part+1)·heads]: begin/end masks keep axes 0, 2 and 3 whole.
    stridedSlice(g, qkv, g.ints([0, part * numHeads, 0, 0]), g.ints([0, (part + 1) * numHeads, 0, 0]), g.ints([1, 1, 1, 1]), { begin_mask: 0b1101, end_mask: 0b1101 }, name),
  );
  return { query, key, value };
}

/** softmax(query · keyᵀ + mask) · value per head: [batch, heads, queries, head_dim]. */
function attend(g: GraphBuilder, query: Tensor, { key, value }: AttentionHeads, maskBias: Tensor): Tensor {
  const scores = g.op('AddV2', [g.op('BatchMatMulV2', [query, key], { adj_x: { b: false }, adj_y: { b: true }, T: { type: 'DT_FLOAT' } }, 'scores'), maskBias]);
  const probabilities = g.op('Softmax', [scores], { T: { type: 'DT_FLOAT' } }, 'probabilities');
  return g.op('BatchMatMulV2', [probabilities, value], { adj_x: { b: false }, adj_y: { b: false }, T: { type: 'DT_FLOAT' } }, 'context');
}

/** Position-wise feed-forward: dense -> GELU -> dense. */
function feedForward(g: GraphBuilder, weights: BertWeights, layer: BertLayer, x: Tensor): Tensor {
  const hidden = dense(g, 'intermediate', layer.intermediate, x);
  const activated = g.scope('gelu', () => (weights.config.gelu === 'erf' ? geluErf(g, hidden) : geluTanh(g, hidden)));
  return dense(g, 'output', layer.output, activated);
}

/** Exact GELU: 0.5·x·(1 + erf(x/√2)). */
function geluErf(g: GraphBuilder, x: Tensor): Tensor {
  const erf = g.op('Erf', [g.op('Mul', [x, g.scalar(Math.SQRT1_2)])]);
  return g.op('Mul', [g.op('Mul', [x, g.scalar(0.5)]), g.op('AddV2', [erf, g.scalar(1)])]);
}

/** The tanh approximation of GELU: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
function geluTanh(g: GraphBuilder, x: Tensor): Tensor {
  const cubicFactor = g.op('AddV2', [g.op('Mul', [g.op('Mul', [x, x]), g.scalar(0.044715)]), g.scalar(1)]);
  const inner = g.op('Mul', [g.op('Mul', [x, cubicFactor]), g.scalar(Math.sqrt(2 / Math.PI))]);
  return g.op('Mul', [g.op('Mul', [x, g.scalar(0.5)]), g.op('AddV2', [g.op('Tanh', [inner]), g.scalar(1)])]);
}

/** tanh(dense(cls)): the [CLS] position's final vector through the pooler. */
function pooler(g: GraphBuilder, weights: Dense, clsRows: Tensor): Tensor {
  return g.op('Tanh', [dense(g, 'dense', weights, clsRows)]);
}

/** sequence[:, 0]: [batch, seq, hidden] -> [batch, hidden]. */
function firstPosition(g: GraphBuilder, sequence: Tensor): Tensor {
  return stridedSlice(g, sequence, g.ints([0, 0, 0]), g.ints([0, 1, 0]), g.ints([1, 1, 1]), { begin_mask: 0b101, end_mask: 0b101, shrink_axis_mask: 0b010 }, 'first_token');
}

/** Mean of the sequence over positions where input_mask = 1: [batch, seq, H] -> [batch, H]. */
function maskedMean(g: GraphBuilder, sequence: Tensor, inputMask: Tensor): Tensor {
  const mask = g.op('ExpandDims', [maskLookup(g, inputMask, [0, 1], 'token_weight'), g.intScalar(-1)]);
  const sum = g.op('Sum', [g.op('Mul', [sequence, mask]), g.ints([1])], { keep_dims: { b: false } });
  // An all-padding row would divide by zero; its sum is zero anyway.
  const count = g.op('Maximum', [g.op('Sum', [mask, g.ints([1])], { keep_dims: { b: false } }), g.scalar(1)]);
  return g.op('RealDiv', [sum, count]);
}

/** LayerNorm over the last axis: (x - mean)·rsqrt(variance + eps)·gamma + beta. */
function layerNorm(g: GraphBuilder, norm: LayerNorm, x: Tensor, eps: number): Tensor {
  const lastAxis = g.ints([-1]);
  const mean = g.op('Mean', [x, lastAxis], { keep_dims: { b: true } }, 'mean');
  const variance = g.op('Mean', [g.op('SquaredDifference', [x, mean]), lastAxis], { keep_dims: { b: true } }, 'variance');
  const normalized = g.op('Mul', [g.op('Sub', [x, mean]), g.op('Rsqrt', [g.op('AddV2', [variance, g.scalar(eps)])])]);
  const gamma = g.weight('gamma', norm.gamma.shape, norm.gamma.data);
  const beta = g.weight('beta', norm.beta.shape, norm.beta.data);
  return g.op('AddV2', [g.op('Mul', [normalized, gamma]), beta]);
}

/** x · kernel + bias as one fused op on rows [n, in] -> [n, out]. */
function dense(g: GraphBuilder, name: string, weights: Dense, x: Tensor): Tensor {
  return g.scope(name, () => {
    const kernel = g.weight('kernel', weights.kernel.shape, weights.kernel.data, true);
    const bias = g.weight('bias', weights.bias.shape, weights.bias.data);
    return g.op('_FusedMatMul', [x, kernel, bias], {
      fused_ops: { list: { s: [base64('BiasAdd')] } },
      num_args: { i: '1' },
      epsilon: { f: 0 },
      transpose_a: { b: false },
      transpose_b: { b: false },
      T: { type: 'DT_FLOAT' },
    });
  });
}

/** The [H, 3H] kernel and [3H] bias of [query·scale | key | value]; column = part·H + head·head_dim + d. */
export function fuseQkv(layer: BertLayer, queryScale: number): Dense {
  const H = layer.query.kernel.shape[0];
  const kernel = new Float32Array(H * 3 * H);
  const bias = new Float32Array(3 * H);
  const parts = [layer.query, layer.key, layer.value];
  parts.forEach((part, index) => {
    const scale = index === 0 ? queryScale : 1;
    for (let row = 0; row < H; row++) {
      const source = part.kernel.data.subarray(row * H, (row + 1) * H);
      const offset = row * 3 * H + index * H;
      for (let col = 0; col < H; col++) kernel[offset + col] = source[col] * scale;
    }
    for (let col = 0; col < H; col++) bias[index * H + col] = part.bias.data[col] * scale;
  });
  return { kernel: { shape: [H, 3 * H], data: kernel }, bias: { shape: [3 * H], data: bias } };
}

function gather(g: GraphBuilder, table: Tensor, ids: Tensor): Tensor {
  return g.op('GatherV2', [table, ids, g.intScalar(0)], { batch_dims: { i: '0' }, Tparams: { type: 'DT_FLOAT' }, Tindices: { type: 'DT_INT32' } });
}

function pack(g: GraphBuilder, values: Tensor[], name: string): Tensor {
  return g.op('Pack', values, { N: { i: String(values.length) }, axis: { i: '0' }, T: { type: 'DT_INT32' } }, name);
}

/** One element of a shape vector, as an int32 scalar. */
function shapeElement(g: GraphBuilder, shape: Tensor, index: number, name: string): Tensor {
  return stridedSlice(g, shape, g.ints([index]), g.ints([index + 1]), g.ints([1]), { shrink_axis_mask: 1 }, name);
}

type SliceMasks = Partial<Record<'begin_mask' | 'end_mask' | 'ellipsis_mask' | 'new_axis_mask' | 'shrink_axis_mask', number>>;

function stridedSlice(g: GraphBuilder, x: Tensor, begin: Tensor, end: Tensor, strides: Tensor, masks: SliceMasks, name: string): Tensor {
  const attr: Record<string, { i: string }> = {};
  for (const mask of ['begin_mask', 'end_mask', 'ellipsis_mask', 'new_axis_mask', 'shrink_axis_mask'] as const) {
    attr[mask] = { i: String(masks[mask] ?? 0) };
  }
  return g.op('StridedSlice', [x, begin, end, strides], attr, name);
}
