import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadModelDir, useBackend } from '../../converter/node-runner';
import { OUTPUT_NAMES } from '../../converter/model-format';
import { writeRandomModel, type RandomModel } from '../../tools/test-models';
import { compileGraph, tfKernels, UnsupportedGraphError, type GraphNode } from './graph-runner';

let model: RandomModel;
let graphModel: tf.GraphModel;
let nodes: GraphNode[];
beforeAll(async () => {
  await useBackend('cpu');
  model = await writeRandomModel({ preset: 'tiny', seed: 5, gelu: 'erf' });
  graphModel = await loadModelDir(model.dir);
  nodes = JSON.parse(await readFile(path.join(model.dir, 'model.json'), 'utf8')).modelTopology.node;
});
afterAll(async () => {
  graphModel?.dispose();
  await model?.remove();
});

/** Three rows of real lengths 9, 3 and 5, padded to 9; the last row has a second segment. */
function batchInputs() {
  const shape: [number, number] = [3, 9];
  const lengths = [9, 3, 5];
  const mask = lengths.flatMap((length) => Array.from({ length: 9 }, (_, t) => (t < length ? 1 : 0)));
  return {
    input_word_ids: tf.tensor2d(mask.map((m, i) => (m ? 100 + ((i * 37) % 900) : 0)), shape, 'int32'),
    input_mask: tf.tensor2d(mask, shape, 'int32'),
    input_type_ids: tf.tensor2d(mask.map((m, i) => (m && i >= 18 && i % 9 >= 3 ? 1 : 0)), shape, 'int32'),
  };
}

describe('compileGraph', () => {
  it("gives tfjs-converter's outputs for every output, asked alone or together", () => {
    const run = compileGraph(tf, nodes, graphModel.weights);
    const inputs = batchInputs();
    const together = run(inputs, [...OUTPUT_NAMES]);
    OUTPUT_NAMES.forEach((name, i) => {
      const expected = graphModel.execute(inputs, name) as tf.Tensor;
      const [alone] = run(inputs, [name]);
      expect(alone.shape).toEqual(expected.shape);
      const [expectedData, aloneData, togetherData] = [expected, alone, together[i]].map((t) => Array.from(t.dataSync()));
      expect(Math.max(...aloneData.map((v, k) => Math.abs(v - expectedData[k]))), name).toBeLessThan(1e-6);
      expect(togetherData).toEqual(aloneData);
      tf.dispose([expected, alone]);
    });
    tf.dispose([...together, ...Object.values(inputs)]);
  });

  it('leaves no tensor behind but its outputs, run after run', () => {
    const run = compileGraph(tf, nodes, graphModel.weights);
    const inputs = batchInputs();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) tf.dispose(run(inputs, ['pooled_output']));
    const outputs = run(inputs, ['sequence_output', 'mean_pooled']);
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose([...outputs, ...Object.values(inputs)]);
  });

  it('runs only what the asked outputs need (the pooler only for pooled_output)', async () => {
    const run = compileGraph(tf, nodes, graphModel.weights);
    const inputs = batchInputs();
    const kernelsFor = async (name: string) => (await tf.profile(() => run(inputs, [name]))).kernels.map((kernel) => kernel.name);
    expect(await kernelsFor('pooled_output')).toContain('Tanh');
    expect(await kernelsFor('sequence_output')).not.toContain('Tanh');
    tf.dispose(Object.values(inputs));
  });

  it('refuses an op the converter never writes, naming it', () => {
    const edited = nodes.map((node) => (node.op === 'Erf' ? { ...node, op: 'Gelu' } : node));
    expect(() => compileGraph(tf, edited, graphModel.weights)).toThrow(UnsupportedGraphError);
    expect(() => compileGraph(tf, edited, graphModel.weights)).toThrow(/op Gelu/);
  });

  it("runs each of the graph's LayerNorms and GELUs as one step when the kernels offer them, with the same outputs", () => {
    const calls = { layerNorm: 0, gelu: 0 };
    const layerNorm = (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number) => {
      calls.layerNorm++;
      const { mean, variance } = tf.moments(x, -1, true);
      return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), gamma), beta);
    };
    const gelu = (x: tf.Tensor) => {
      calls.gelu++;
      return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.div(x, Math.SQRT2)), 1));
    };
    const plain = compileGraph(tf, nodes, graphModel.weights);
    const fused = compileGraph(tf, nodes, graphModel.weights, { ...tfKernels(tf), layerNorm, gelu });
    const inputs = batchInputs();
    const [expected] = plain(inputs, ['sequence_output']);
    const [actual] = fused(inputs, ['sequence_output']);
    const layers = model.weights().config.numLayers;
    // The embeddings' norm and two per layer; one GELU per layer.
    expect(calls).toEqual({ layerNorm: 1 + 2 * layers, gelu: layers });
    const [e, a] = [expected, actual].map((t) => t.dataSync());
    expect(Math.max(...Array.from(a, (v, k) => Math.abs(v - e[k])))).toBeLessThan(1e-5);
    tf.dispose([expected, actual, ...Object.values(inputs)]);
  });

  it('leaves a LayerNorm unfused when its means are not written over axis -1 (here: axis 1 of 2-D rows)', () => {
    let fusedCalls = 0;
    const layerNorm = (x: tf.Tensor) => {
      fusedCalls++;
      return x;
    };
    const edited: GraphNode[] = [
      { name: 'axis_one', op: 'Const' },
      ...nodes.map((node) => (node.op === 'Mean' && node.name.endsWith('/mean') ? { ...node, input: [node.input![0], 'axis_one'] } : node)),
    ];
    const axisOne = tf.tensor1d([1], 'int32');
    const run = compileGraph(tf, edited, { ...graphModel.weights, axis_one: [axisOne] }, { ...tfKernels(tf), layerNorm });
    const inputs = batchInputs();
    const [expected] = compileGraph(tf, nodes, graphModel.weights)(inputs, ['sequence_output']);
    const [actual] = run(inputs, ['sequence_output']);
    expect(fusedCalls).toBe(0);
    expect(Array.from(actual.dataSync())).toEqual(Array.from(expected.dataSync()));
    tf.dispose([expected, actual, axisOne, ...Object.values(inputs)]);
  });
});

