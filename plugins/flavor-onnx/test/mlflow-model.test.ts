import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel, parseCsvPayload, parseJsonPayload, readMLmodel, saveModel, type LoadedModel } from '@git-ml/models';
import { flavor } from '@git-ml/flavor-onnx';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterAll, describe, expect, test } from 'vitest';

const fixtures = fileURLToPath(new URL('../../../fixtures/', import.meta.url));
const fixture = join(fixtures, 'mlflow-onnx-logreg');
const expected = JSON.parse(readFileSync(join(fixtures, 'mlflow-onnx-logreg.expected.json'), 'utf8')) as { inputs: number[][]; label: number[] };
const tmp = mkdtempSync(join(tmpdir(), 'flavor-onnx-'));
const opened: LoadedModel[] = [];
afterAll(async () => {
  await Promise.all(opened.map((m) => m.close()));
  rmSync(tmp, { recursive: true, force: true });
});

async function load(dir: string): Promise<LoadedModel> {
  const m = await loadModel(dir);
  opened.push(m);
  return m;
}

type Outputs = { label: number[]; probabilities: number[][] };

/** The error a call throws or rejects with (input checks may throw before any promise exists). */
async function failure(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to fail');
}

describe('a model saved by MLflow 2.12 (mlflow.onnx, sklearn LogisticRegression)', () => {
  test('loads through loadModel with only the onnx and python_function flavors in MLmodel', async () => {
    expect(Object.keys(readMLmodel(fixture).flavors).sort()).toEqual(['onnx', 'python_function']);
    const model = await load(fixture);
    expect(model.flavor).toBe('onnx');
  });

  test("reproduces scikit-learn's labels for the 20 expected rows exactly", async () => {
    const model = await load(fixture);
    const out = (await model.predict(expected.inputs)) as Outputs;
    expect(out.label).toEqual(expected.label);
    expect(out.label.every((l) => typeof l === 'number')).toBe(true);
  });

  test('returns probabilities per row that sum to 1 and agree with the labels', async () => {
    const model = await load(fixture);
    const out = (await model.predict(expected.inputs)) as Outputs;
    expect(out.probabilities).toHaveLength(20);
    out.probabilities.forEach((p, i) => {
      expect(p).toHaveLength(2);
      expect(p[0] + p[1]).toBeCloseTo(1, 5);
      expect(p[1] > p[0] ? 1 : 0).toBe(expected.label[i]);
    });
  });

  test('gives the same numbers as a bare InferenceSession.run', async () => {
    const model = await load(fixture);
    const session = await InferenceSession.create(join(fixture, 'model.onnx'));
    const flat = Float32Array.from(expected.inputs.flat());
    const bare = await session.run({ X: new Tensor('float32', flat, [20, 20]) });
    await session.release();
    const out = (await model.predict(expected.inputs)) as Outputs;
    expect(out.label).toEqual(Array.from(bare.label.data as BigInt64Array, Number));
    expect(out.probabilities.flat()).toEqual(Array.from(bare.probabilities.data as Float32Array));
  });

  test('takes tensors by input name, and a single tensor under any name when the graph has one input', async () => {
    const model = await load(fixture);
    const byName = (await model.predictInput({ kind: 'tensors', tensors: { X: { shape: [2, 20], data: expected.inputs.slice(0, 2).flat() } } })) as Outputs;
    const unnamed = (await model.predictInput({ kind: 'tensors', tensors: { input: { shape: [2, 20], data: expected.inputs.slice(0, 2).flat() } } })) as Outputs;
    expect(byName.label).toEqual(expected.label.slice(0, 2));
    expect(unnamed).toEqual(byName);
  });

  test('rejects rows of the wrong width, naming the input and the shape it takes', async () => {
    const model = await load(fixture);
    expect(await failure(() => model.predict([[1, 2, 3]]))).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/tensor 'X' has shape \[1, 3\]; the signature says \[-1, 20\]/) });
  });

  test('rejects a non-numeric cell, naming its row and column', async () => {
    const model = await load(fixture);
    const row: unknown[] = [...expected.inputs[0]];
    row[4] = 'oops';
    expect(await failure(() => model.predict([expected.inputs[1], row]))).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/row 1, column '4': expected a number, got "oops"/) });
  });

  test('ignores MLflow providers that are not available here (CUDA) and runs on the CPU', async () => {
    expect(readMLmodel(fixture).flavors.onnx?.providers).toContain('CUDAExecutionProvider');
    const model = await load(fixture);
    expect(((await model.predict(expected.inputs.slice(0, 1))) as Outputs).label).toEqual(expected.label.slice(0, 1));
  });
});

describe('save → load', () => {
  const bytes = readFileSync(join(fixture, 'model.onnx'));

  test('round-trips the MLflow ONNX file through saveModel(bytes, dir, { flavor }) and loadModel(dir)', async () => {
    const dir = join(tmp, 'roundtrip');
    const mlmodel = await saveModel(bytes, dir, { flavor });
    expect(readFileSync(join(dir, 'model.onnx')).equals(bytes)).toBe(true);
    expect(mlmodel.flavors.onnx).toMatchObject({ data: 'model.onnx', providers: ['CPUExecutionProvider'], onnx_ir_version: 8 });
    expect(mlmodel.flavors.git_ml).toMatchObject({ loader_package: '@git-ml/flavor-onnx', flavor: 'onnx' });
    const model = await load(dir);
    expect(((await model.predict(expected.inputs)) as Outputs).label).toEqual(expected.label);
    const original = (await (await load(fixture)).predict(expected.inputs)) as Outputs;
    expect(await model.predict(expected.inputs)).toEqual(original);
  });

  test('records onnx_version when saved as { onnx, onnxVersion }', async () => {
    const mlmodel = await saveModel({ onnx: bytes, onnxVersion: '1.16.0' }, join(tmp, 'versioned'), { flavor });
    expect(mlmodel.flavors.onnx?.onnx_version).toBe('1.16.0');
  });

  test('saveModel picks the ONNX flavor by itself for ONNX bytes', async () => {
    const mlmodel = await saveModel(bytes, join(tmp, 'picked'));
    expect(Object.keys(mlmodel.flavors)).toContain('onnx');
  });

  test('refuses bytes that are not an ONNX model', async () => {
    expect(flavor.accepts?.(new TextEncoder().encode('{"not": "onnx"}'))).toBe(false);
    await expect(saveModel(new TextEncoder().encode('hello'), join(tmp, 'bad'), { flavor })).rejects.toThrow(/not an ONNX model/);
  });
});

describe('broken model directories', () => {
  function copyWith(name: string, edit: (mlmodel: string) => string): string {
    const dir = join(tmp, name);
    cpSync(fixture, dir, { recursive: true });
    writeFileSync(join(dir, 'MLmodel'), edit(readFileSync(join(dir, 'MLmodel'), 'utf8')));
    return dir;
  }

  test('a data path outside the model directory is refused before anything is read', async () => {
    const dir = copyWith('escape', (t) => t.replace(/data: model\.onnx\n    onnx_session/, 'data: ../../etc/passwd\n    onnx_session'));
    await expect(loadModel(dir)).rejects.toMatchObject({ code: 'INVALID_MODEL', message: expect.stringMatching(/points outside the model directory/) });
  });

  test('a missing .onnx file is named in the error', async () => {
    const dir = copyWith('missing', (t) => t);
    rmSync(join(dir, 'model.onnx'));
    await expect(loadModel(dir)).rejects.toMatchObject({ code: 'INVALID_MODEL', message: expect.stringMatching(/model\.onnx not found/) });
  });

  test('a file that is not ONNX says so', async () => {
    const dir = copyWith('garbage', (t) => t);
    writeFileSync(join(dir, 'model.onnx'), 'this is not protobuf at all');
    await expect(loadModel(dir)).rejects.toMatchObject({ code: 'INVALID_MODEL', message: expect.stringMatching(/is not an ONNX model/) });
  });

  test('honours MLflow onnx_session_options it understands', async () => {
    const dir = copyWith('options', (t) => t.replace('onnx_session_options: null', 'onnx_session_options:\n      intra_op_num_threads: 1\n      graph_optimization_level: 99\n      execution_mode: sequential'));
    const model = await load(dir);
    expect(((await model.predict(expected.inputs)) as Outputs).label).toEqual(expected.label);
  });
});

describe('MLflow\'s signature-less ONNX model (the default of mlflow.onnx.log_model) takes every payload form as MLflow does', () => {
  test('inputs, instances, named tensors, dataframe_split without columns, dataframe_records and CSV all feed the single graph input', async () => {
    const model = await load(fixture);
    expect(model.signature).toBeNull(); // MLmodel declares none; the graph describes its input X: float32 [?, 20]
    const rows = expected.inputs;
    const header = rows[0].map((_, j) => `f${j}`);
    const bodies: unknown[] = [
      { inputs: rows },
      { instances: rows },
      { inputs: { X: rows } },
      { dataframe_split: { data: rows } },
      { dataframe_split: { columns: header, data: rows } },
      { dataframe_records: rows.map((r) => Object.fromEntries(r.map((v, j) => [header[j], v]))) },
    ];
    for (const body of bodies) {
      const { input } = parseJsonPayload(body, model.schema);
      const out = (await model.predictInput(input)) as Outputs;
      expect(out.label, JSON.stringify(body).slice(0, 60)).toEqual(expected.label);
    }
    const csv = `${header.join(',')}\n${rows.map((r) => r.join(',')).join('\n')}\n`;
    expect(((await model.predictInput(parseCsvPayload(csv, model.schema))) as Outputs).label).toEqual(expected.label);
    // a tensor of the wrong width names the input and the shape the graph takes
    expect(() => parseJsonPayload({ inputs: { X: rows.map((r) => r.slice(1)) } }, model.schema)).toThrow(/tensor 'X' has shape \[20, 19\]; the signature says \[-1, 20\]/);
  });
});

