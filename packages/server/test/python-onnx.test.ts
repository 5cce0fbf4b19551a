/**
 * An ONNX model logged from Python's MLflow client through `git-ml server` loads in git-ml's own
 * `loadModel` (by alias, from git) and serves /invocations. Needs MLflow's Python source
 * (`bash ../shared/mlflow-python/setup.sh $MLFLOW_PY_DIR`); skipped, saying so, without it.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadModel, serveModel } from '@git-ml/models';
import { MlClient } from '@git-ml/tracking';
import { serve, tempDir } from './helpers.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const MLFLOW = process.env.MLFLOW_PY_DIR ?? '/tmp/mlflow-py';
const available = existsSync(join(MLFLOW, 'src/mlflow/__init__.py')) && existsSync('/usr/bin/python3');
const why = available ? '' : ` (skipped: MLflow's Python source is not at ${MLFLOW}; run \`bash ../shared/mlflow-python/setup.sh ${MLFLOW}\` or set MLFLOW_PY_DIR)`;

describe(`an ONNX model logged from Python through git-ml server${why}`, () => {
  it.skipIf(!available)(`loads in git-ml's loadModel by alias and serves /invocations${available ? '' : ' (skipped: MLflow\'s Python source is not set up; .ci/run sets it up from the shared mlflow-python folder)'}`, async () => {
    const h = await serve();
    const out = await new Promise<{ code: number; text: string }>((res, rej) => {
      const child = spawn('/usr/bin/python3', [join(HERE, 'python/onnx_model.py')], {
        cwd: tempDir('py-onnx-'),
        env: { ...process.env, MLFLOW_TRACKING_URI: h.url, PYTHONPATH: [join(MLFLOW, 'src'), join(MLFLOW, 'deps'), MLFLOW].join(':') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      child.stdout.on('data', (c) => (text += c));
      child.stderr.on('data', (c) => (text += c));
      child.on('error', rej);
      child.on('close', (code) => res({ code: code ?? -1, text }));
    });
    expect(out.code, out.text.slice(-3000)).toBe(0);
    await h.server.close();

    const client = new MlClient({ repo: h.repo });
    const model = await loadModel('models:/onnx-py@champion', { client });
    try {
      expect(model.flavor).toBe('onnx');
      const predicted = (await model.predict([[1, 2], [0, 0]])) as unknown;
      expect(JSON.stringify(predicted)).toMatch(/5\.5.*0\.5/);
      const { app, url } = await serveModel(model, { port: 0 });
      try {
        const res = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dataframe_split: { columns: ['a', 'b'], data: [[3, 1]] } }) });
        const body = JSON.stringify(await res.json());
        expect(res.status, body).toBe(200);
        expect(body).toContain('5.5');
      } finally {
        await app.close();
      }
    } finally {
      await model.close();
      client.close();
    }
  }, 180_000);
});
