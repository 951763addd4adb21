// Runs the converter's BERT graph without tfjs-converter's per-node bookkeeping. The node list is compiled
// once into a flat program: each step is a closure over a tf op with its attributes already parsed, reading
// its inputs by index. Shape arithmetic (Shape, StridedSlice and Pack of int32 vectors) runs on the host,
// so no Reshape waits for a GPU read-back; an intermediate is disposed right after its last reader.
// tf.loadGraphModel still decodes (and dequantizes) the weights, and the model stays a plain tfjs graph model.
// Erf, batched matmuls and slices go through `RunnerKernels`, which a backend may do better than tfjs; where
// they also offer LayerNorm or GELU as one kernel, the graph's patterns for those (graph-patterns.ts) run as one step.
import type * as tfTypes from '@tensorflow/tfjs';
import { matchGelu, matchLayerNorm, type CompiledGraphView } from './graph-patterns';

type Tf = typeof import('@tensorflow/tfjs');
/** A value in the program: a tensor, or a small int32 vector/scalar kept on the host. */
type Value = tfTypes.Tensor | number[] | number;

interface AttrValue {
  i?: string | number;
  f?: number;
  b?: boolean;
  type?: string;
  list?: { s?: string[]; i?: (string | number)[] };
}

export interface GraphNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, AttrValue>;
}

/** Runs the graph for one set of inputs; returns the named outputs. */
export type GraphRunner = (inputs: Record<string, tfTypes.Tensor>, outputs: string[]) => tfTypes.Tensor[];

export class UnsupportedGraphError extends Error {}

/** The kernels the runner takes from its caller: tfjs's by default, faster ones on wasm (./wasm-kernels). */
export interface RunnerKernels {
  erf(x: tfTypes.Tensor): tfTypes.Tensor;
  batchMatMul(a: tfTypes.Tensor, b: tfTypes.Tensor, transposeA: boolean, transposeB: boolean): tfTypes.Tensor;
  /** x[begin .. begin + size) on every axis. */
  slice(x: tfTypes.Tensor, begin: number[], size: number[]): tfTypes.Tensor;
  /**
   * LayerNorm over the last axis as one kernel, where a backend has it: the runner then runs the graph's
   * nine-op LayerNorm pattern (converter/graph/bert-graph.ts `layerNorm`) as this one step.
   */
  layerNorm?(x: tfTypes.Tensor, gamma: tfTypes.Tensor, beta: tfTypes.Tensor, eps: number): tfTypes.Tensor;
  /** GELU, 0.5·x·(1 + erf(x/√2)), as one kernel: the runner then runs the graph's five-op GELU as this. */
  gelu?(x: tfTypes.Tensor): tfTypes.Tensor;
}

export const tfKernels = (tf: Tf): RunnerKernels => ({
  erf: (x) => tf.erf(x),
  batchMatMul: (a, b, transposeA, transposeB) => tf.matMul(a, b, transposeA, transposeB),
  slice: (x, begin, size) => tf.slice(x, begin, size),
});

const int = (attr: AttrValue | undefined): number => Number(attr?.i ?? 0);
const bool = (attr: AttrValue | undefined): boolean => attr?.b === true;

function tensorOf(value: Value, node: string): tfTypes.Tensor {
  if (typeof value === 'number' || Array.isArray(value)) throw new UnsupportedGraphError(`${node}: expected a tensor input, got a host shape value`);
  return value;
}

function hostInts(value: Value, node: string): number[] {
  if (Array.isArray(value)) return [...value];
  if (typeof value === 'number') return [value];
  throw new UnsupportedGraphError(`${node}: expected a constant or shape-derived int32 input`);
}

function hostInt(value: Value, node: string): number {
  const values = hostInts(value, node);
  if (values.length !== 1) throw new UnsupportedGraphError(`${node}: expected one int32 value, got ${values.length}`);
  return values[0];
}

/** Compiles one node (attributes parsed once) into a function of its input values. */
type OpCompiler = (tf: Tf, node: GraphNode, kernels: RunnerKernels) => (inputs: Value[]) => Value;

const unary = (f: (tf: Tf, x: tfTypes.Tensor) => tfTypes.Tensor): OpCompiler => (tf, node) => ([x]) => f(tf, tensorOf(x, node.name));
const binary = (f: (tf: Tf, a: tfTypes.Tensor, b: tfTypes.Tensor) => tfTypes.Tensor): OpCompiler => (tf, node) => ([a, b]) =>
  f(tf, tensorOf(a, node.name), tensorOf(b, node.name));

/** A StridedSlice of a host int32 vector: the 1-D, shrink-or-not case our graphs use on shapes. */
function hostStridedSlice(values: number[], begin: number, end: number, node: GraphNode): Value {
  const attr = node.attr ?? {};
  if (int(attr.begin_mask) !== 0 || int(attr.end_mask) !== 0 || int(attr.ellipsis_mask) !== 0 || int(attr.new_axis_mask) !== 0) {
    throw new UnsupportedGraphError(`${node.name}: StridedSlice of a shape with masks`);
  }
  const sliced = values.slice(begin, end);
  return int(attr.shrink_axis_mask) === 1 ? sliced[0] : sliced;
}

const OPS: Record<string, OpCompiler> = {
  Shape: (_tf, node) => ([x]) => [...tensorOf(x, node.name).shape],
  Pack: (tf, node) => (inputs) =>
    inputs.every((v) => typeof v === 'number') ? (inputs as number[]) : tf.stack(inputs.map((v) => tensorOf(v, node.name)), int(node.attr?.axis)),
  StridedSlice: (tf, node, kernels) => {
    const attr = node.attr ?? {};
    const masks = [int(attr.begin_mask), int(attr.end_mask), int(attr.ellipsis_mask), int(attr.new_axis_mask), int(attr.shrink_axis_mask)] as const;
    return ([x, begin, end, strides]) => {
      const [b, e, s] = [hostInts(begin, node.name), hostInts(end, node.name), hostInts(strides, node.name)];
      if (Array.isArray(x)) return hostStridedSlice(x, b[0], e[0], node);
      const tensor = tensorOf(x, node.name);
      const info = tf.slice_util.sliceInfo(tensor.shape, b, e, s, ...masks);
      if (info.isIdentity) return tf.reshape(tensor, info.finalShape);
      // Unit strides (all our graphs use): a plain slice, reshaped for shrunk or added axes.
      if (!info.isSimpleSlice) return tf.stridedSlice(tensor, b, e, s, ...masks);
      const sliced = kernels.slice(tensor, info.begin, info.end.map((stop, axis) => stop - info.begin[axis]));
      return tf.reshape(sliced, info.finalShape);
    };
  },
  Reshape: (tf, node) => ([x, shape]) => tf.reshape(tensorOf(x, node.name), hostInts(shape, node.name)),
  ExpandDims: (tf, node) => ([x, axis]) => tf.expandDims(tensorOf(x, node.name), hostInt(axis, node.name)),
  Transpose: (tf, node) => ([x, perm]) => tf.transpose(tensorOf(x, node.name), hostInts(perm, node.name)),
  GatherV2: (tf, node) => {
    const batchDims = int(node.attr?.batch_dims);
    return ([params, indices, axis]) => tf.gather(tensorOf(params, node.name), tensorOf(indices, node.name), hostInt(axis, node.name), batchDims);
  },
  MatMul: (tf, node) => {
    const [transposeA, transposeB] = [bool(node.attr?.transpose_a), bool(node.attr?.transpose_b)];
    return ([a, b]) => tf.matMul(tensorOf(a, node.name), tensorOf(b, node.name), transposeA, transposeB);
  },
  BatchMatMulV2: (_tf, node, kernels) => {
    const [adjX, adjY] = [bool(node.attr?.adj_x), bool(node.attr?.adj_y)];
    return ([a, b]) => kernels.batchMatMul(tensorOf(a, node.name), tensorOf(b, node.name), adjX, adjY);
  },
  _FusedMatMul: (tf, node) => {
    const fused = (node.attr?.fused_ops?.list?.s ?? []).map((s) => atob(s));
    if (fused.length !== 1 || fused[0] !== 'BiasAdd') throw new UnsupportedGraphError(`${node.name}: _FusedMatMul with ${fused.join(', ') || 'no'} fused ops`);
    const [transposeA, transposeB] = [bool(node.attr?.transpose_a), bool(node.attr?.transpose_b)];
    return ([a, b, bias]) =>
      tf.fused.matMul({ a: tensorOf(a, node.name), b: tensorOf(b, node.name), transposeA, transposeB, bias: tensorOf(bias, node.name) });
  },
  AddV2: binary((tf, a, b) => tf.add(a, b)),
  Sub: binary((tf, a, b) => tf.sub(a, b)),
  Mul: binary((tf, a, b) => tf.mul(a, b)),
  RealDiv: binary((tf, a, b) => tf.div(a, b)),
  Maximum: binary((tf, a, b) => tf.maximum(a, b)),
  SquaredDifference: binary((tf, a, b) => tf.squaredDifference(a, b)),
  Mean: (tf, node) => {
    const keepDims = bool(node.attr?.keep_dims);
    return ([x, axes]) => tf.mean(tensorOf(x, node.name), hostInts(axes, node.name), keepDims);
  },
  Sum: (tf, node) => {
    const keepDims = bool(node.attr?.keep_dims);
    return ([x, axes]) => tf.sum(tensorOf(x, node.name), hostInts(axes, node.name), keepDims);
  },
  Rsqrt: unary((tf, x) => tf.rsqrt(x)),
  Softmax: unary((tf, x) => tf.softmax(x)),
  Tanh: unary((tf, x) => tf.tanh(x)),
  Erf: (_tf, node, kernels) => ([x]) => kernels.erf(tensorOf(x, node.name)),
};

interface Step {
  run: (inputs: Value[]) => Value;
  inputs: number[];
}

/**
 * Compiles `nodes` (a graph model's modelTopology.node, in topological order as the converter writes
 * them) with its decoded weights (GraphModel.weights). Throws UnsupportedGraphError for an op outside the
 * converter's set.
 */
export function compileGraph(tf: Tf, nodes: GraphNode[], weights: Record<string, tfTypes.Tensor[]>, kernels: RunnerKernels = tfKernels(tf)): GraphRunner {
  const index = new Map(nodes.map((node, i) => [node.name, i]));
  const resolve = (name: string, reader: string): number => {
    const found = index.get(name.replace(/:0$/, ''));
    if (found === undefined) throw new UnsupportedGraphError(`${reader} reads ${name}, which is not in the graph`);
    // Identity only names outputs: read through it.
    return nodes[found].op === 'Identity' ? resolve(nodes[found].input?.[0] ?? '', nodes[found].name) : found;
  };
  const constants: Value[] = [];
  const placeholders = new Map<string, number>();
  const steps: (Step | undefined)[] = nodes.map((node, i) => {
    if (node.op === 'Const') {
      const tensor = weights[node.name]?.[0];
      if (tensor === undefined) throw new UnsupportedGraphError(`constant ${node.name} has no weight`);
      // Small int32 constants are shapes, axes and permutations: kept on the host.
      constants[i] = tensor.dtype === 'int32' && tensor.size <= 8 ? (tensor.rank === 0 ? tensor.dataSync()[0] : Array.from(tensor.dataSync())) : tensor;
      return undefined;
    }
    if (node.op === 'Placeholder') {
      placeholders.set(node.name, i);
      return undefined;
    }
    if (node.op === 'Identity') return undefined;
    const compile = OPS[node.op];
    if (compile === undefined) throw new UnsupportedGraphError(`${node.name}: op ${node.op} is not one the converter writes`);
    return { run: compile(tf, node, kernels), inputs: (node.input ?? []).filter((name) => !name.startsWith('^')).map((name) => resolve(name, node.name)) };
  });
  // A fused pattern's output step reads the pattern's inputs directly; its inner steps drop out of the
  // plans unless something else reads them.
  const { layerNorm, gelu } = kernels;
  // Patterns are matched on the graph as written, not on steps already fused.
  const reads = steps.map((step) => step?.inputs ?? []);
  const view: CompiledGraphView = {
    op: (j) => nodes[j].op,
    reads: (j) => reads[j],
    keepsDims: (j) => bool(nodes[j].attr?.keep_dims),
    hostInts: (j) => (Array.isArray(constants[j]) ? (constants[j] as number[]) : undefined),
    floatScalar(j) {
      const value = nodes[j].op === 'Const' ? constants[j] : undefined;
      return typeof value === 'object' && !Array.isArray(value) && value.size === 1 && value.dtype === 'float32' ? value.dataSync()[0] : undefined;
    },
  };
  nodes.forEach((node, i) => {
    const normalization = layerNorm && matchLayerNorm(view, i);
    if (normalization) {
      steps[i] = { run: ([x, gamma, beta]) => layerNorm!(tensorOf(x, node.name), tensorOf(gamma, node.name), tensorOf(beta, node.name), normalization.eps), inputs: normalization.inputs };
    }
    const activation = gelu && matchGelu(view, i);
    if (activation) steps[i] = { run: ([x]) => gelu!(tensorOf(x, node.name)), inputs: activation.inputs };
  });

  /** Per requested output set: the steps it needs in node order, and after each step the values nothing reads later. */
  const plans = new Map<string, { outputIndices: number[]; order: { step: number; release: number[] }[] }>();
  const plan = (outputs: string[]) => {
    const key = outputs.join('\n');
    const cached = plans.get(key);
    if (cached !== undefined) return cached;
    const outputIndices = outputs.map((name) => resolve(name, 'the caller'));
    const needed = new Set<number>();
    const visit = (i: number) => {
      if (needed.has(i)) return;
      needed.add(i);
      for (const input of steps[i]?.inputs ?? []) visit(input);
    };
    outputIndices.forEach(visit);
    const stepIndices = [...needed].filter((i) => steps[i] !== undefined).sort((a, b) => a - b);
    const lastReader = new Map<number, number>();
    for (const i of stepIndices) for (const input of steps[i]!.inputs) lastReader.set(input, i);
    const releasable = (input: number, reader: number) => lastReader.get(input) === reader && steps[input] !== undefined && !outputIndices.includes(input);
    const order = stepIndices.map((i) => ({ step: i, release: [...new Set(steps[i]!.inputs)].filter((input) => releasable(input, i)) }));
    const built = { outputIndices, order };
    plans.set(key, built);
    return built;
  };

  return (inputs, outputs) => {
    const { outputIndices, order } = plan(outputs);
    return tf.tidy(() => {
      const values: Value[] = [...constants];
      for (const [name, i] of placeholders) {
        const tensor = inputs[name];
        if (tensor === undefined) throw new Error(`the graph needs input ${name}`);
        values[i] = tensor;
      }
      for (const { step, release } of order) {
        const { run, inputs: reads } = steps[step]!;
        values[step] = run(reads.map((input) => values[input]));
        for (const input of release) {
          const value = values[input];
          if (typeof value === 'object' && !Array.isArray(value)) value.dispose();
        }
      }
      return outputIndices.map((i) => tensorOf(values[i], nodes[i].name));
    });
  };
}
