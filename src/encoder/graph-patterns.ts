// Op patterns of the converter's graph (converter/graph/bert-graph.ts) that the runner can run as one
// kernel where its kernels offer one. Matched op by op from the pattern's last node; anything that
// differs in the slightest leaves the graph's own ops to run.

/** What a matcher may ask about the compiled graph; nodes are indices in topological order. */
export interface CompiledGraphView {
  op(node: number): string;
  /** The nodes a node reads, in input order (through Identity). */
  reads(node: number): number[];
  keepsDims(node: number): boolean;
  /** A small int32 constant's values (axes, shapes), if the node is one. */
  hostInts(node: number): number[] | undefined;
  /** A float32 scalar constant's value, if the node is one. */
  floatScalar(node: number): number | undefined;
}

const opOf = (view: CompiledGraphView, node: number | undefined) => (node === undefined ? undefined : view.op(node));
const readsOf = (view: CompiledGraphView, node: number | undefined) => (node === undefined ? [] : view.reads(node));
const isScalar = (view: CompiledGraphView, node: number | undefined, value: number) =>
  node !== undefined && Math.abs((view.floatScalar(node) ?? NaN) - value) < 1e-7;

/**
 * LayerNorm, `layerNorm` in bert-graph.ts: AddV2(Mul(Mul(Sub(x, mean), Rsqrt(AddV2(variance, eps))), gamma),
 * beta) with mean = Mean(x, [-1]) and variance = Mean(SquaredDifference(x, mean), [-1]), both keeping dims,
 * gamma, beta and eps constants. Returns the nodes of x, gamma and beta, and eps.
 */
export function matchLayerNorm(view: CompiledGraphView, last: number): { inputs: number[]; eps: number } | undefined {
  const op = (node: number | undefined) => opOf(view, node);
  const reads = (node: number | undefined) => readsOf(view, node);
  const lastAxisMean = (node: number | undefined, of: number | undefined) => {
    const [input, axes] = reads(node);
    const axisValues = axes === undefined ? undefined : view.hostInts(axes);
    return op(node) === 'Mean' && input === of && view.keepsDims(node!) && axisValues?.length === 1 && axisValues[0] === -1;
  };
  if (op(last) !== 'AddV2') return undefined;
  const [scaled, beta] = reads(last);
  const [normalized, gamma] = reads(scaled);
  const [centered, inverseDeviation] = reads(normalized);
  const [x, mean] = reads(centered);
  const [shifted] = reads(inverseDeviation);
  const [variance, epsilon] = reads(shifted);
  const [squares] = reads(variance);
  const [squaresOf, squaresMinus] = reads(squares);
  const opsMatch = op(scaled) === 'Mul' && op(normalized) === 'Mul' && op(centered) === 'Sub' && op(inverseDeviation) === 'Rsqrt' && op(shifted) === 'AddV2' && op(squares) === 'SquaredDifference';
  if (!opsMatch || !lastAxisMean(mean, x) || !lastAxisMean(variance, squares) || squaresOf !== x || squaresMinus !== mean) return undefined;
  const eps = epsilon === undefined ? undefined : view.floatScalar(epsilon);
  if (op(gamma) !== 'Const' || op(beta) !== 'Const' || eps === undefined) return undefined;
  return { inputs: [x!, gamma!, beta!], eps };
}

/** GELU, `geluErf` in bert-graph.ts: Mul(Mul(x, 0.5), AddV2(Erf(Mul(x, √½)), 1)). Returns the node of x. */
export function matchGelu(view: CompiledGraphView, last: number): { inputs: number[] } | undefined {
  const op = (node: number | undefined) => opOf(view, node);
  const reads = (node: number | undefined) => readsOf(view, node);
  if (op(last) !== 'Mul') return undefined;
  const [halved, shiftedErf] = reads(last);
  const [x, half] = reads(halved);
  const [erf, one] = reads(shiftedErf);
  const [scaled] = reads(erf);
  const [erfOf, rootHalf] = reads(scaled);
  const opsMatch = op(halved) === 'Mul' && op(shiftedErf) === 'AddV2' && op(erf) === 'Erf' && op(scaled) === 'Mul' && erfOf === x;
  return opsMatch && isScalar(view, half, 0.5) && isScalar(view, one, 1) && isScalar(view, rootHalf, Math.SQRT1_2) ? { inputs: [x!] } : undefined;
}
