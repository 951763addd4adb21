import { describe, expect, it } from 'vitest';
import { INPUT_NAMES, OUTPUT_NAMES } from '../model-format';
import { randomBert, randomConfig } from '../random-bert';
import { ALLOWED_OPS, buildBertGraph, fuseQkv } from './bert-graph';

const weights = randomBert({ ...randomConfig('tiny', 40), numLayers: 3 }, 7);
const graph = buildBertGraph(weights);

describe('buildBertGraph', () => {
  it('uses only ops that every tfjs backend implements, and never Einsum', () => {
    const ops = new Set(graph.nodes.map((n) => n.op));
    expect([...ops].filter((op) => !ALLOWED_OPS.has(op))).toEqual([]);
    expect(ops.has('Einsum')).toBe(false);
    // input_mask becomes float through Gathers: tfjs-webgpu's int32 -> float32 Cast relabels the buffer.
    expect(ops.has('Cast')).toBe(false);
    // The dense layers really are fused matmuls: QKV, attention output, FFN in, FFN out per layer; the
    // last layer's [CLS]-only copy for pooled_output (output, FFN in, FFN out); the pooler.
    expect(graph.nodes.filter((n) => n.op === '_FusedMatMul')).toHaveLength(3 * 4 + 3 + 1);
    expect(graph.nodes.filter((n) => n.op === 'Erf')).toHaveLength(3 + 1);
  });

  it('uses the tanh approximation when the config says so', () => {
    const tanhGraph = buildBertGraph(randomBert(randomConfig('tiny', 40, 'tanh'), 7));
    const ops = tanhGraph.nodes.map((n) => n.op);
    expect(ops).not.toContain('Erf');
    expect(ops.filter((op) => op === 'Tanh')).toHaveLength(2 + 1 + 1); // two layers, the last one's [CLS] copy, pooler
  });

  it('names inputs and outputs exactly as the model contract says', () => {
    expect(graph.inputs.map((i) => i.name)).toEqual([...INPUT_NAMES]);
    expect(graph.outputs.map((o) => o.name)).toEqual([...OUTPUT_NAMES]);
    for (const name of INPUT_NAMES) expect(graph.nodes.find((n) => n.name === name)?.op).toBe('Placeholder');
    for (const name of OUTPUT_NAMES) expect(graph.nodes.find((n) => n.name === name)?.op).toBe('Identity');
  });

  it('is a well-formed graph: unique names, every input defined earlier, one weight per Const', () => {
    const seen = new Set<string>();
    for (const node of graph.nodes) {
      for (const input of node.input ?? []) expect(seen.has(input), `${node.name} reads ${input}`).toBe(true);
      expect(seen.has(node.name)).toBe(false);
      seen.add(node.name);
    }
    const consts = graph.nodes.filter((n) => n.op === 'Const').map((n) => n.name);
    expect(graph.weights.map((w) => w.name)).toEqual(consts);
  });

  it('holds every canonical tensor once (Q/K/V fused into one kernel per layer, the [CLS] path shares the last layer\'s)', () => {
    const { hiddenSize: H, intermediateSize: I, vocabSize: V, maxPositions: P, numLayers: L } = weights.config;
    const stored = graph.weights.filter((w) => w.dtype === 'float32' && w.shape.length > 0).reduce((sum, w) => sum + w.data.length, 0);
    const perLayer = 3 * H * H + 3 * H + H * H + H + H * I + I + I * H + H + 4 * H;
    const maskTables = 2 * 2; // input_mask -> score bias and -> token weight, two entries each
    expect(stored).toBe(V * H + P * H + 2 * H + 2 * H + L * perLayer + H * H + H + maskTables);
  });
});

describe('fuseQkv', () => {
  it('lays out [query·scale | key | value] column blocks, row by row', () => {
    const layer = weights.layers[0];
    const H = weights.config.hiddenSize;
    const fused = fuseQkv(layer, 0.5);
    expect(fused.kernel.shape).toEqual([H, 3 * H]);
    for (const [row, col] of [[0, 0], [3, 17], [H - 1, H - 1]]) {
      expect(fused.kernel.data[row * 3 * H + col]).toBeCloseTo(layer.query.kernel.data[row * H + col] * 0.5, 7);
      expect(fused.kernel.data[row * 3 * H + H + col]).toBe(layer.key.kernel.data[row * H + col]);
      expect(fused.kernel.data[row * 3 * H + 2 * H + col]).toBe(layer.value.kernel.data[row * H + col]);
    }
    expect(fused.bias.data[5]).toBeCloseTo(layer.query.bias.data[5] * 0.5, 7);
    expect(fused.bias.data[2 * H + 5]).toBe(layer.value.bias.data[5]);
  });
});
