import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { evaluate, inferSignature, loadModel, logModel, mlmodelJsonSchema, modelDir, readMLmodel, saveModel, serveModel, writeMLmodel } from '@git-ml/models';
import { RegistryClient } from '@git-ml/registry';
import { flavor, ruleModel } from 'git-ml-flavor-rules';
import { caught, closeClients, git, makeRepo, openClient, removeTempDirs, tempDir } from '@git-ml/test-support';

const FIXTURES = resolve(import.meta.dirname, '../../../fixtures');
afterEach(() => {
  closeClients();
  removeTempDirs();
});

const model = ruleModel({ a: 1, b: -1 }, 0, 0);
const signature = inferSignature([{ a: 1.5, b: 2.5 }], [1]);

describe('MLmodel', () => {
  it('keeps unknown fields and MLflow fields through read/write; exports JSON Schema', () => {
    const dir = tempDir('mlmodel-');
    cpSync(join(FIXTURES, 'mlflow-onnx-logreg', 'MLmodel'), join(dir, 'MLmodel'));
    const doc = YAML.parse(readFileSync(join(dir, 'MLmodel'), 'utf8'));
    writeFileSync(join(dir, 'MLmodel'), YAML.stringify({ ...doc, future_field: { x: 1 } }));
    const m = readMLmodel(dir);
    expect(m.mlflow_version).toBe('2.12.2');
    writeMLmodel(dir, m);
    expect(YAML.parse(readFileSync(join(dir, 'MLmodel'), 'utf8'))).toEqual({ ...doc, future_field: { x: 1 } });
    expect((mlmodelJsonSchema() as { properties: Record<string, unknown> }).properties.flavors).toBeTruthy();
    writeFileSync(join(dir, 'MLmodel'), 'flavors: 3\n');
    expect(caught(() => readMLmodel(dir)).message).toMatch(/MLmodel: field 'flavors'/);
  });

  it('infers column signatures the MLflow way', () => {
    expect(signature.inputs).toEqual([
      { type: 'double', name: 'a', required: true },
      { type: 'double', name: 'b', required: true },
    ]);
    expect(inferSignature([[1, 2, 3]]).inputs).toEqual([{ type: 'tensor', 'tensor-spec': { dtype: 'float64', shape: [-1, 3] } }]);
  });
});

describe('load errors', () => {
  it('a python_function-only model explains it needs Python and lists what git-ml loads', async () => {
    const dir = tempDir('py-');
    writeFileSync(join(dir, 'MLmodel'), YAML.stringify({ flavors: { python_function: { loader_module: 'mlflow.sklearn', model_path: 'model.pkl' }, sklearn: { pickled_model: 'model.pkl' } } }));
    const err = await loadModel(dir).catch((e: Error) => e);
    expect(err.message).toMatch(/saved by MLflow in Python .*mlflow\.sklearn.*needs Python.*git-ml loads these flavors: onnx, git_ml_linear, git_ml_trees/);
  });

  it('a model whose plugin is not installed names the package to install', async () => {
    const dir = tempDir('np-');
    writeFileSync(join(dir, 'MLmodel'), YAML.stringify({ flavors: { fancy: {}, git_ml: { loader_package: '@acme/flavor-fancy', flavor: 'fancy' } } }));
    expect((await loadModel(dir).catch((e: Error) => e)).message).toMatch(/needs the flavor plugin '@acme\/flavor-fancy'.*npm install @acme\/flavor-fancy/);
    expect((await loadModel(join(dir, 'nope')).catch((e: Error) => e)).message).toMatch(/MLmodel not found/);
  });
});

describe('models in runs and the registry', () => {
  it('logModel into a run, register it, load it by runs:/, models:/N and models:/name@alias; evaluate logs metrics and SVGs', async () => {
    const repo = makeRepo();
    const c = openClient(repo);
    const run = c.createRun(c.createExperiment('m'));
    const runId = run.info.run_id;
    const logged = await logModel(model, 'model', { flavor, signature, inputExample: [{ a: 1, b: 2 }], registeredModelName: 'rules', runId, client: c });
    expect(logged).toEqual({ model_uri: `runs:/${runId}/model`, run_id: runId, artifact_path: 'model', registered_model_version: '1' });
    expect(git(repo, 'show', 'rules@v1:artifacts/model/MLmodel')).toContain('loader_package: git-ml-flavor-rules');
    expect(JSON.parse(git(repo, 'show', `rules@v1:artifacts/model/input_example.json`))).toEqual({ columns: ['a', 'b'], data: [[1, 2]] });
    new RegistryClient({ tracking: c }).setRegisteredModelAlias('rules', 'champion', 1);
    const rows = [{ a: 3, b: 1 }, { a: 1, b: 3 }, { a: 2, b: 2 }];
    for (const uri of [`runs:/${runId}/model`, 'models:/rules/1', 'models:/rules@champion', 'models:/rules/latest']) {
      const m = await loadModel(uri, { client: c });
      expect(m.mlmodel.run_id).toBe(runId);
      expect(await m.predict(rows)).toEqual([1, 0, 1]);
    }
    const m = await loadModel('models:/rules@champion', { client: c });
    const res = await evaluate(m, [...rows, { a: 0, b: 5 }].map((r, i) => ({ ...r, label: [1, 0, 0, 0][i] })), { targets: 'label', modelType: 'classifier', runId, client: c });
    expect(res.metrics).toMatchObject({ accuracy: 0.75, precision: 0.5, recall: 1 });
    expect(res.metrics.f1).toBeCloseTo(2 / 3, 10);
    expect(res.metrics.roc_auc).toBe(1);
    c.flush();
    expect(c.getRun(runId).data.metrics.find((x) => x.key === 'accuracy')?.value).toBe(0.75);
    expect(c.listArtifacts(runId, 'evaluation').map((f) => f.path).sort()).toEqual(['evaluation/confusion_matrix.svg', 'evaluation/roc_curve.svg']);
    expect(git(repo, 'show', `refs/ml/runs/${run.info.experiment_id}/${runId}:artifacts/evaluation/roc_curve.svg`)).toMatch(/^<svg [^>]*>[\s\S]*AUC = 1<\/text>[\s\S]*<\/svg>$/);
  });
});

describe('the model cache in .git/ml/cache/models', () => {
  const cacheEntries = (repo: string) => readdirSync(join(repo, '.git', 'ml', 'cache', 'models'));

  it('leaves no .tmp-* behind when copying a model out of git fails half-way, and loads once the object is whole again', async () => {
    const repo = makeRepo();
    const c = openClient(repo);
    const run = c.createRun(c.createExperiment('m'));
    const runId = run.info.run_id;
    await logModel(model, 'model', { flavor, signature, runId, client: c });
    c.flush();
    // MLmodel is copied first; rules.json (the flavor's file) fails to read
    const oid = git(repo, 'rev-parse', `refs/ml/runs/${run.info.experiment_id}/${runId}:artifacts/model/rules.json`);
    const loose = join(repo, '.git', 'objects', oid.slice(0, 2), oid.slice(2));
    expect(existsSync(loose), 'the model file is a loose object').toBe(true);
    const whole = readFileSync(loose);
    chmodSync(loose, 0o644);
    writeFileSync(loose, Buffer.from('not a zlib stream'));
    const err = await loadModel(`runs:/${runId}/model`, { client: c }).catch((e: Error) => e);
    expect(err.message).toMatch(new RegExp(`^runs:/${runId}/model: copying artifact 'model' of run ${runId} out of git failed \\(.+\\)\\. The repository may be damaged: run \`git fsck\``));
    expect(cacheEntries(repo)).toEqual([]);

    writeFileSync(loose, whole);
    const m = await loadModel(`runs:/${runId}/model`, { client: c });
    expect(await m.predict([{ a: 3, b: 1 }])).toEqual([1]);
    expect(cacheEntries(repo).filter((e) => e.startsWith('.tmp-'))).toEqual([]);
  });

  it('replaces a cache entry that has no MLmodel (an interrupted copy) instead of failing on it forever', async () => {
    const repo = makeRepo();
    const c = openClient(repo);
    const runId = c.createRun(c.createExperiment('m')).info.run_id;
    await logModel(model, 'model', { flavor, signature, runId, client: c });
    const dir = await modelDir(`runs:/${runId}/model`, { client: c });
    rmSync(join(dir, 'MLmodel'));
    writeFileSync(join(dir, 'half-copied'), '');
    const m = await loadModel(`runs:/${runId}/model`, { client: c });
    expect(m.dir).toBe(dir);
    expect(await m.predict([{ a: 3, b: 1 }])).toEqual([1]);
    expect(readdirSync(dir).sort()).toEqual(['MLmodel', 'rules.json']);
  });

  it('removes .tmp-* copies a killed process left a day ago, and keeps recent ones (another process may be copying)', async () => {
    const repo = makeRepo();
    const c = openClient(repo);
    const runId = c.createRun(c.createExperiment('m')).info.run_id;
    await logModel(model, 'model', { flavor, signature, runId, client: c });
    const cache = join(repo, '.git', 'ml', 'cache', 'models');
    mkdirSync(join(cache, '.tmp-old'), { recursive: true });
    mkdirSync(join(cache, '.tmp-new'));
    const dayAgo = new Date(Date.now() - 25 * 3600 * 1000);
    utimesSync(join(cache, '.tmp-old'), dayAgo, dayAgo);
    await loadModel(`runs:/${runId}/model`, { client: c });
    expect(cacheEntries(repo).filter((e) => e.startsWith('.tmp-'))).toEqual(['.tmp-new']);
  });
});

describe('scoring server', () => {
  async function started() {
    const dir = join(mkdtempSync(join(tmpdir(), 'serve-')), 'model');
    await saveModel(model, dir, { flavor, signature });
    const m = await loadModel(dir);
    return serveModel(m, { port: 0, bodyLimit: 64 * 1024 });
  }
  const post = (url: string, body: string | Buffer, type = 'application/json') => fetch(`${url}/invocations`, { method: 'POST', headers: { 'content-type': type }, body });

  it('answers every MLflow input format, and bad or hostile bodies with 400/413/415 and a message', async () => {
    const { app, url } = await started();
    try {
      const ok = async (body: unknown) => {
        const r = await post(url, JSON.stringify(body));
        expect(r.status, await r.clone().text()).toBe(200);
        return ((await r.json()) as { predictions: unknown }).predictions;
      };
      expect(await ok({ dataframe_split: { columns: ['b', 'a'], data: [[1, 3], [3, 1]] } })).toEqual([1, 0]);
      expect(await ok({ dataframe_records: [{ a: 3, b: 1 }] })).toEqual([1]);
      expect(await ok({ instances: [{ a: 3, b: 1 }] })).toEqual([1]);
      expect(await ok({ inputs: { a: [3, 0], b: [1, 1] } })).toEqual([1, 0]);
      expect(await ok({ inputs: [[0, 1]], params: { x: 1 } })).toEqual([0]);
      const csv = await post(url, 'a,b\n3,1\n0,1\n', 'text/csv');
      expect(await csv.json()).toEqual({ predictions: [1, 0] });

      const bad = async (body: string | Buffer, status: number, message: RegExp, type?: string, code = 'BAD_REQUEST') => {
        const r = await post(url, body, type);
        const j = (await r.json()) as { error_code: string; message: string };
        expect(r.status, j.message).toBe(status);
        expect(j.error_code).toBe(code);
        expect(j.message).toMatch(message);
      };
      await bad('{"dataframe_split": ', 400, /not valid JSON/);
      await bad(JSON.stringify({ dataframe_split: { columns: ['a'], data: [[1]] } }), 400, /missing column 'b'/);
      await bad(JSON.stringify({ dataframe_split: { columns: ['a', 'b'], data: [[1, 'x']] } }), 400, /row 0, column 'b': expected double, got "x"/);
      await bad(JSON.stringify({ dataframe_split: { columns: ['a', 'b'], data: [[1, 2, 3]] } }), 400, /row 0 has 3 values/);
      await bad(JSON.stringify({ dataframe_split: { columns: ['a', 'a', 'b'], data: [[1, 2, 3]] } }), 400, /column 'a' is given twice/);
      await bad(JSON.stringify({ dataframe_records: [{ a: 1, b: 2 }], inputs: [[1, 2]] }), 400, /give exactly one of/);
      await bad(JSON.stringify({ data: [[1, 2]] }), 400, /needs one of dataframe_split/);
      await bad(JSON.stringify([1, 2]), 400, /must be a JSON object/);
      await bad('a,b\n1,x\n', 400, /CSV line 2, column 'b': expected double/, 'text/csv');
      await bad('a,b\n1\n', 400, /CSV line 2 has 1 values/, 'text/csv');
      await bad('<xml/>', 415, /Unsupported content type/, 'application/xml');
      await bad(Buffer.alloc(100 * 1024, 'x'), 413, /larger than the server's limit/);
      for (const depth of [5_000, 30_000]) {
        await bad(`{"inputs": ${'['.repeat(depth)}${']'.repeat(depth)}}`, 400, /^The body nests lists or objects more than 64 deep; .*--max-depth/, undefined, 'INVALID_PARAMETER_VALUE');
      }
      await bad('a,b\n"1,2\n', 400, /ends inside a quoted field \(opened on line 2\)/, 'text/csv');
      expect((await fetch(`${url}/ping`)).status).toBe(200);
      expect((await fetch(`${url}/health`)).status).toBe(200);
      expect(await (await fetch(`${url}/version`)).text()).toMatch(/^\d+\.\d+\.\d+/);
      expect((await fetch(`${url}/nope`)).status).toBe(404);
    } finally {
      await app.close();
    }
  });

  it('binds 127.0.0.1 by default', async () => {
    const { app, url } = await started();
    await app.close();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});
