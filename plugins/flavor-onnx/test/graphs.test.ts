import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel, saveModel, type LoadedModel } from '@git-ml/models';
import { flavor } from '@git-ml/flavor-onnx';
import { afterAll, describe, expect, test } from 'vitest';
import { buildModel, FLOAT, INT64, seqTensorType, STRING, tensorType } from './onnx-builder.js';

const tmp = mkdtempSync(join(tmpdir(), 'flavor-onnx-graphs-'));
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

// sum = A + B, first = A: two tensor inputs, two named outputs.
const addModel = buildModel({
  inputs: [
    { name: 'A', type: tensorType(FLOAT, ['N', 2]) },
    { name: 'B', type: tensorType(FLOAT, ['N', 2]) },
  ],
  outputs: [
    { name: 'sum', type: tensorType(FLOAT, ['N', 2]) },
    { name: 'first', type: tensorType(FLOAT, ['N', 2]) },
  ],
  nodes: [
    { op: 'Add', inputs: ['A', 'B'], outputs: ['sum'] },
    { op: 'Identity', inputs: ['A'], outputs: ['first'] },
  ],
});

// One input per column, as skl2onnx writes for a ColumnTransformer: float, string and int64 columns.
const columnsModel = buildModel({
  inputs: [
    { name: 'x', type: tensorType(FLOAT, ['N', 1]) },
    { name: 'city', type: tensorType(STRING, ['N', 1]) },
    { name: 'count', type: tensorType(INT64, ['N']) },
  ],
  outputs: [
    { name: 'double_x', type: tensorType(FLOAT, ['N', 1]) },
    { name: 'city_out', type: tensorType(STRING, ['N', 1]) },
    { name: 'count_out', type: tensorType(INT64, ['N']) },
  ],
  nodes: [
    { op: 'Add', inputs: ['x', 'x'], outputs: ['double_x'] },
    { op: 'Identity', inputs: ['city'], outputs: ['city_out'] },
    { op: 'Identity', inputs: ['count'], outputs: ['count_out'] },
  ],
});

describe('multi-input, multi-output graphs', () => {
  test('feeds tensors by input name and returns every output by name', async () => {
    const model = await saveAndLoad(addModel);
    const out = await model.predictInput({
      kind: 'tensors',
      tensors: { A: { shape: [2, 2], data: [1, 2, 3, 4] }, B: { shape: [2, 2], data: [10, 20, 30, 40] } },
    });
    expect(out).toEqual({ sum: [[11, 22], [33, 44]], first: [[1, 2], [3, 4]] });
  });

  test('names the missing and the unknown tensors', async () => {
    const model = await saveAndLoad(addModel);
    await expect(model.predictInput({ kind: 'tensors', tensors: { A: { shape: [1, 2], data: [1, 2] }, C: { shape: [1, 2], data: [1, 2] } } })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: "this ONNX model takes tensors 'A', 'B'; missing 'B'; unknown 'C'.",
    });
  });

  test('maps the columns of a frame to inputs of the same name, one value per row, with their own element types', async () => {
    const model = await saveAndLoad(columnsModel);
    const out = await model.predict({ count: [7, 8], city: ['Oslo', 'Lima'], x: [1.5, -2] });
    expect(out).toEqual({ double_x: [3, -4], city_out: ['Oslo', 'Lima'], count_out: [7, 8] });
    expect(typeof (out as Record<string, unknown[]>).count_out[0]).toBe('number');
  });

  test('keeps the [rows, 1] shape of outputs when fed tensors', async () => {
    const model = await saveAndLoad(columnsModel);
    const out = (await model.predictInput({
      kind: 'tensors',
      tensors: { x: { shape: [2, 1], data: [1, 2] }, city: { shape: [2, 1], data: [1, 2] }, count: { shape: [2], data: [3, 4] } },
    })) as Record<string, unknown[]>;
    expect(out.double_x).toEqual([[2], [4]]);
    expect(out.city_out).toEqual([['1'], ['2']]);
  });

  test('says which input columns are missing from a frame', async () => {
    const model = await saveAndLoad(columnsModel);
    await expect(model.predict({ x: [1], city: ['Oslo'] })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/missing column 'count'.*'x', 'city', 'count'/) });
  });

  test('rejects a fractional number for an int64 input, naming the row and column', async () => {
    const model = await saveAndLoad(columnsModel);
    await expect(model.predict({ x: [1, 2], city: ['a', 'b'], count: [1, 2.5] })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/row 1, column 'count'.*int64 integers; got 2\.5/) });
  });

  test('quotes a long string in an integer column by its first 80 characters and its size', async () => {
    const model = await saveAndLoad(columnsModel);
    const err = (await Promise.resolve(model.predict({ x: [1], city: ['a'], count: ['7'.repeat(1_000_000)] })).catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(new RegExp(`column 'count'.*int64 integers; got "${'7'.repeat(80)}"…\\(1000000 bytes\\)\\.$`));
    expect(err.message.length).toBeLessThan(300);
  });
});

test('nests outputs of rank 3 and more row by row', async () => {
  const cube = buildModel({
    inputs: [{ name: 'X', type: tensorType(FLOAT, ['N', 2, 2]) }],
    outputs: [{ name: 'Y', type: tensorType(FLOAT, ['N', 2, 2]) }],
    nodes: [{ op: 'Identity', inputs: ['X'], outputs: ['Y'] }],
  });
  const model = await saveAndLoad(cube);
  expect(await model.predictInput({ kind: 'tensors', tensors: { X: { shape: [2, 2, 2], data: [1, 2, 3, 4, 5, 6, 7, 8] } } })).toEqual([
    [[1, 2], [3, 4]],
    [[5, 6], [7, 8]],
  ]);
});

describe('outputs onnxruntime-node cannot return', () => {
  const withSequence = buildModel({
    opsets: { '': 13 },
    inputs: [{ name: 'X', type: tensorType(FLOAT, ['N', 2]) }],
    outputs: [
      { name: 'Y', type: tensorType(FLOAT, ['N', 2]) },
      { name: 'S', type: seqTensorType() },
    ],
    nodes: [
      { op: 'Identity', inputs: ['X'], outputs: ['Y'] },
      { op: 'SequenceConstruct', inputs: ['X'], outputs: ['S'] },
    ],
  });

  test('drops a non-tensor output that is not a ZipMap and returns the tensor outputs', async () => {
    const model = await saveAndLoad(withSequence);
    expect(await model.predict([[1, 2]])).toEqual([[1, 2]]);
  });

  test('refuses a model whose only output is not a tensor', async () => {
    const onlySequence = buildModel({
      inputs: [{ name: 'X', type: tensorType(FLOAT, ['N', 2]) }],
      outputs: [{ name: 'S', type: seqTensorType() }],
      nodes: [{ op: 'SequenceConstruct', inputs: ['X'], outputs: ['S'] }],
    });
    await expect(saveAndLoad(onlySequence)).rejects.toMatchObject({ code: 'INVALID_MODEL', message: expect.stringMatching(/no output git-ml can return: S is not a tensor/) });
  });
});
