import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { readOnnxGraph, withExtraOutputs } from '../src/_onnx-graph.js';
import { bytesField, floatField, message, varintField } from '../src/_protobuf.js';
import { buildModel, FLOAT, tensorType } from './onnx-builder.js';

const fixture = fileURLToPath(new URL('../../../fixtures/mlflow-onnx-logreg/model.onnx', import.meta.url));

describe('reading ONNX graphs without the onnx package', () => {
  test('reads the classifier node, its class labels and the opsets of the MLflow fixture', () => {
    const g = readOnnxGraph(readFileSync(fixture));
    expect(g.irVersion).toBe(8);
    expect(g.opsets).toEqual(expect.arrayContaining([{ domain: 'ai.onnx.ml', version: 1 }]));
    expect(g.outputs).toEqual(['label', 'probabilities']);
    const node = g.nodes.find((n) => n.opType === 'LinearClassifier')!;
    expect(node.domain).toBe('ai.onnx.ml');
    expect(node.attrs.get('classlabels_ints')?.ints.map(Number)).toEqual([0, 1]);
  });

  test('reads negative int64 attributes and both packed and unpacked repeated floats', () => {
    const attr = (...fields: Uint8Array[]) => bytesField(5, message(...fields));
    const node = message(
      bytesField(4, 'Custom'),
      attr(bytesField(1, 'neg'), varintField(3, -5n)),
      attr(bytesField(1, 'fl'), floatField(7, 1.5), floatField(7, -2)),
      attr(bytesField(1, 'strs'), bytesField(9, 'a'), bytesField(9, 'é')),
    );
    const model = message(varintField(1, 9), bytesField(7, bytesField(1, node)));
    const [n] = readOnnxGraph(model).nodes;
    expect(n.attrs.get('neg')?.i).toBe(-5n);
    expect(n.attrs.get('fl')?.floats).toEqual([1.5, -2]);
    expect(n.attrs.get('strs')?.strings).toEqual(['a', 'é']);
  });

  test('rejects bytes that are not a ModelProto', () => {
    expect(() => readOnnxGraph(new TextEncoder().encode('{"a": 1}'))).toThrow();
    expect(() => readOnnxGraph(new Uint8Array([0x08]))).toThrow(/truncated/);
    expect(() => readOnnxGraph(varintField(1, 8))).toThrow(/not an ONNX model/);
  });

  test('appending a graph field adds outputs and keeps the nodes', () => {
    const model = buildModel({
      inputs: [{ name: 'X', type: tensorType(FLOAT, ['N', 2]) }],
      outputs: [{ name: 'Y', type: tensorType(FLOAT, ['N', 2]) }],
      nodes: [
        { op: 'Relu', inputs: ['X'], outputs: ['hidden'] },
        { op: 'Identity', inputs: ['hidden'], outputs: ['Y'] },
      ],
    });
    const g = readOnnxGraph(withExtraOutputs(model, [{ name: 'hidden', elemType: FLOAT }]));
    expect(g.outputs).toEqual(['Y', 'hidden']);
    expect(g.nodes.map((n) => n.opType)).toEqual(['Relu', 'Identity']);
  });
});
