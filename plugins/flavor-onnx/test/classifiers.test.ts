import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel, saveModel, type LoadedModel } from '@git-ml/models';
import { flavor } from '@git-ml/flavor-onnx';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterAll, describe, expect, test } from 'vitest';
import { bytesField, message, varintField } from '../src/_protobuf.js';
import { buildModel, FLOAT, INT64, seqMapType, STRING, tensorType, type Attr, type NodeSpec } from './onnx-builder.js';

const tmp = mkdtempSync(join(tmpdir(), 'flavor-onnx-classifiers-'));
const opened: LoadedModel[] = [];
afterAll(async () => {
  await Promise.all(opened.map((m) => m.close()));
  rmSync(tmp, { recursive: true, force: true });
});

let n = 0;
async function saveAndLoad(bytes: Uint8Array): Promise<LoadedModel> {
  const dir = join(tmp, `m${n++}`);
  await saveModel(bytes, dir, { flavor });
  const model = await loadModel(dir);
  opened.push(model);
  return model;
}

const ML = { '': 13, 'ai.onnx.ml': 1 };

// skl2onnx's default classifier output: probabilities wrapped by ZipMap into seq(map(int64, float)).
// `pick` makes the label: ArgMax agrees with the probabilities, ArgMin deliberately does not.
function zipmapModel(keys: Attr, pick = 'ArgMax'): Uint8Array {
  const key = 'ints' in keys ? 'classlabels_int64s' : 'classlabels_strings';
  return buildModel({
    opsets: ML,
    inputs: [{ name: 'X', type: tensorType(FLOAT, ['N', 2]) }],
    outputs: [
      { name: 'label', type: tensorType(INT64, ['N']) },
      { name: 'output_probability', type: seqMapType('ints' in keys ? INT64 : STRING) },
    ],
    nodes: [
      { op: 'Softmax', inputs: ['X'], outputs: ['probability_tensor'], attrs: { axis: { i: 1 } } },
      { op: pick, inputs: ['probability_tensor'], outputs: ['label'], attrs: { axis: { i: 1 }, keepdims: { i: 0 } } },
      { op: 'ZipMap', domain: 'ai.onnx.ml', inputs: ['probability_tensor'], outputs: ['output_probability'], attrs: { [key]: keys } },
    ],
  });
}

describe('ZipMap outputs (sequence of maps)', () => {
  test('come back as one { class: probability } object per row, next to the label', async () => {
    const model = await saveAndLoad(zipmapModel({ ints: [3, 7] }));
    const out = (await model.predict([[0, Math.log(4)], [1, 0]])) as { label: number[]; output_probability: Record<string, number>[] };
    expect(out.label).toEqual([1, 0]);
    expect(Object.keys(out.output_probability[0])).toEqual(['3', '7']);
    expect(out.output_probability[0]['3']).toBeCloseTo(0.2, 6);
    expect(out.output_probability[0]['7']).toBeCloseTo(0.8, 6);
    expect(out.output_probability[1]['3'] + out.output_probability[1]['7']).toBeCloseTo(1, 6);
  });

  test('use string class labels as keys', async () => {
    const model = await saveAndLoad(zipmapModel({ strings: ['cat', 'dog'] }));
    const out = (await model.predict([[0, 0]])) as { output_probability: Record<string, number>[] };
    expect(out.output_probability).toEqual([{ cat: 0.5, dog: 0.5 }]);
  });

  test('are not returned by onnxruntime-node itself (the reason they are rebuilt)', async () => {
    const session = await InferenceSession.create(zipmapModel({ ints: [3, 7] }));
    await expect(session.run({ X: new Tensor('float32', new Float32Array([0, 1]), [1, 2]) })).rejects.toThrow(/Non tensor/);
    await session.release();
  });
});

// A binary tree ensemble the way XGBoost/LightGBM converters write it: one score per leaf for class 1
// and a logistic post-transform. X <= 0 → leaf weight 0.3 (p = 0.574), X > 0 → leaf weight 2 (p = 0.881).
function binaryTrees(classes: Attr, zipmap: boolean): Uint8Array {
  const labelType = 'ints' in classes ? INT64 : STRING;
  const tree: NodeSpec = {
    op: 'TreeEnsembleClassifier',
    domain: 'ai.onnx.ml',
    inputs: ['X'],
    outputs: ['label', zipmap ? 'probability_tensor' : 'probabilities'],
    attrs: {
      ['ints' in classes ? 'classlabels_int64s' : 'classlabels_strings']: classes,
      nodes_treeids: { ints: [0, 0, 0] },
      nodes_nodeids: { ints: [0, 1, 2] },
      nodes_featureids: { ints: [0, 0, 0] },
      nodes_values: { floats: [0, 0, 0] },
      nodes_modes: { strings: ['BRANCH_LEQ', 'LEAF', 'LEAF'] },
      nodes_truenodeids: { ints: [1, 0, 0] },
      nodes_falsenodeids: { ints: [2, 0, 0] },
      class_treeids: { ints: [0, 0] },
      class_nodeids: { ints: [1, 2] },
      class_ids: { ints: [1, 1] },
      class_weights: { floats: [0.3, 2.0] },
      post_transform: { s: 'LOGISTIC' },
    },
  };
  const zip: NodeSpec = { op: 'ZipMap', domain: 'ai.onnx.ml', inputs: ['probability_tensor'], outputs: ['output_probability'], attrs: { ['ints' in classes ? 'classlabels_int64s' : 'classlabels_strings']: classes } };
  return buildModel({
    opsets: ML,
    inputs: [{ name: 'X', type: tensorType(FLOAT, ['N', 1]) }],
    outputs: [
      { name: 'label', type: tensorType(labelType, ['N']) },
      zipmap ? { name: 'output_probability', type: seqMapType(labelType) } : { name: 'probabilities', type: tensorType(FLOAT, ['N', 2]) },
    ],
    nodes: zipmap ? [tree, zip] : [tree],
  });
}

describe('binary tree-ensemble classifiers: labels from probabilities', () => {
  const rows = [[-1], [1]];

  test("onnxruntime's own label disagrees with its probabilities on this model (the case the rule fixes)", async () => {
    const session = await InferenceSession.create(binaryTrees({ ints: [0, 1] }, false));
    const out = await session.run({ X: new Tensor('float32', new Float32Array([-1, 1]), [2, 1]) });
    await session.release();
    const p = out.probabilities.data as Float32Array;
    expect(p[1]).toBeGreaterThan(p[0]);
    expect(Number((out.label.data as BigInt64Array)[0])).toBe(0);
  });

  test('labels are the class with the higher probability', async () => {
    const model = await saveAndLoad(binaryTrees({ ints: [0, 1] }, false));
    const out = (await model.predict(rows)) as { label: number[]; probabilities: number[][] };
    expect(out.probabilities[0][1]).toBeCloseTo(1 / (1 + Math.exp(-0.3)), 6);
    expect(out.label).toEqual([1, 1]);
  });

  test('the rule uses the classifier’s own class labels (strings too)', async () => {
    const model = await saveAndLoad(binaryTrees({ strings: ['no', 'yes'] }, false));
    expect(((await model.predict(rows)) as { label: string[] }).label).toEqual(['yes', 'yes']);
  });

  test('the rule also reads the probabilities behind a ZipMap output', async () => {
    const model = await saveAndLoad(binaryTrees({ ints: [4, 9] }, true));
    const out = (await model.predict(rows)) as { label: number[]; output_probability: Record<string, number>[] };
    expect(out.label).toEqual([9, 9]);
    expect(out.output_probability[1]['9']).toBeCloseTo(1 / (1 + Math.exp(-2)), 6);
  });

  test('other classifiers keep the label the graph computes, even when it is not the most probable class', async () => {
    const model = await saveAndLoad(zipmapModel({ ints: [3, 7] }, 'ArgMin'));
    expect(((await model.predict([[0, 1]])) as { label: number[] }).label).toEqual([0]);
  });
});

describe('models with external data', () => {
  test('find their weights file when the graph is edited in memory to expose a ZipMap input', async () => {
    // B = [1, -1] stored in weights.bin beside the model (TensorProto.data_location = EXTERNAL)
    const entry = (k: string, v: string) => bytesField(13, message(bytesField(1, k), bytesField(2, v)));
    const initializer = message(varintField(1, 2), varintField(2, FLOAT), bytesField(8, 'B'), entry('location', 'weights.bin'), entry('offset', '0'), entry('length', '8'), varintField(14, 1));
    const model = buildModel({
      opsets: ML,
      inputs: [{ name: 'X', type: tensorType(FLOAT, ['N', 2]) }],
      outputs: [{ name: 'output_probability', type: seqMapType(INT64) }],
      nodes: [
        { op: 'Add', inputs: ['X', 'B'], outputs: ['probability_tensor'] },
        { op: 'ZipMap', domain: 'ai.onnx.ml', inputs: ['probability_tensor'], outputs: ['output_probability'], attrs: { classlabels_int64s: { ints: [0, 1] } } },
      ],
      initializers: [initializer],
    });
    const dir = join(tmp, 'external');
    await saveModel(model, dir, { flavor });
    writeFileSync(join(dir, 'weights.bin'), new Uint8Array(Float32Array.of(1, -1).buffer));
    const loaded = await loadModel(dir);
    opened.push(loaded);
    expect(await loaded.predict([[0.25, 0.5]])).toEqual([{ 0: 1.25, 1: -0.5 }]);
  });
});
