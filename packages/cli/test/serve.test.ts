import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { saveModel } from '@git-ml/models';
import { flavor, ruleModel } from 'git-ml-flavor-rules';
import { BIN, cleanEnv, gitMl, ok, startRun, STACK_LINE, tempDir, tempRepo } from './harness.js';

/** A repository with a rules model registered as `rules` v1 (class 1 when a ≥ b). */
async function registered(): Promise<string> {
  const repo = tempRepo();
  const run = startRun(repo);
  const dir = join(tempDir(), 'model');
  await saveModel(ruleModel({ a: 1, b: -1 }), dir, {
    flavor,
    signature: { inputs: [{ type: 'double', name: 'a', required: true }, { type: 'double', name: 'b', required: true }] },
  });
  ok(repo, 'artifacts', 'log', run, dir, '--artifact-path', 'model');
  ok(repo, 'models', 'register', 'rules', '--source', `runs:/${run}/model`);
  return repo;
}

describe('git-ml models predict and serve', () => {
  it('predict reads JSON and CSV files like /invocations and writes {"predictions": …}', async () => {
    const repo = await registered();
    const dir = tempDir();
    writeFileSync(join(dir, 'in.json'), JSON.stringify({ dataframe_records: [{ a: 2, b: 1 }, { a: 0, b: 1 }] }));
    writeFileSync(join(dir, 'in.csv'), 'b,a\n1,2\n1,0\n');
    expect(JSON.parse(ok(repo, 'models', 'predict', '-m', 'models:/rules/1', '-i', join(dir, 'in.json')))).toEqual({ predictions: [1, 0] });
    ok(repo, 'models', 'predict', '-m', 'models:/rules/latest', '-i', join(dir, 'in.csv'), '-o', join(dir, 'out.json'));
    expect(JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'))).toEqual({ predictions: [1, 0] });
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ dataframe_records: [{ a: 'x', b: 1 }] }));
    const bad = gitMl(repo, ['models', 'predict', '-m', 'models:/rules/1', '-i', join(dir, 'bad.json')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^git-ml: error: row 0, column 'a': expected double, got "x"\n$/);
    const missing = gitMl(repo, ['models', 'predict', '-m', 'models:/rules/9', '-i', join(dir, 'in.json')]);
    expect(missing.stderr).toMatch(/^git-ml: error: Model version 9 of 'rules' does not exist/);
    expect(missing.stderr).not.toMatch(STACK_LINE);
  });

  it('predict with a local model directory works outside any git repository', async () => {
    const outside = tempDir();
    const dir = join(outside, 'model');
    await saveModel(ruleModel({ a: 1, b: -1 }), dir, { flavor, signature: { inputs: [{ type: 'double', name: 'a', required: true }, { type: 'double', name: 'b', required: true }] } });
    writeFileSync(join(outside, 'in.json'), JSON.stringify({ dataframe_records: [{ a: 2, b: 1 }, { a: 0, b: 1 }] }));
    expect(JSON.parse(ok(outside, 'models', 'predict', '-m', dir, '-i', join(outside, 'in.json')))).toEqual({ predictions: [1, 0] });
  });

  it('serve answers on 127.0.0.1 and stops cleanly on SIGINT', async () => {
    const repo = await registered();
    const child = spawn(process.execPath, [BIN, 'models', 'serve', '-m', 'models:/rules/1', '--port', '0'], { cwd: repo, env: cleanEnv() });
    let err = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (d) => {
        err += d;
        const m = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
    });
    const r = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dataframe_split: { columns: ['a', 'b'], data: [[5, 1]] } }) });
    expect(await r.json()).toEqual({ predictions: [1] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('says which port is in use and what to do, instead of a raw EADDRINUSE', async () => {
    const repo = await registered();
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const busy = (taken.address() as AddressInfo).port;
    try {
      const r = gitMl(repo, ['models', 'serve', '-m', 'models:/rules/1', '--port', String(busy)]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `git-ml: error: Port ${busy} on 127.0.0.1 is already in use (another \`git-ml models serve\`, or another server). ` +
          `Pick another with --port (e.g. --port ${busy + 1}, or --port 0 for any free port), or stop what listens there (\`lsof -i :${busy}\` shows it).\n`,
      );
    } finally {
      taken.close();
    }
  });

  it('serve and predict on a version without an MLmodel name the models:/ URI and the run artifact, not a cache path', () => {
    const repo = tempRepo();
    const run = startRun(repo);
    const dir = join(tempDir(), 'weights');
    mkdirSync(dir);
    writeFileSync(join(dir, 'weights.json'), '[1, 2]\n');
    ok(repo, 'artifacts', 'log', run, dir, '--artifact-path', 'weights');
    ok(repo, 'models', 'register', 'bare', '--source', `runs:/${run}/weights`);
    writeFileSync(join(repo, 'in.json'), JSON.stringify({ dataframe_records: [{ a: 1 }] }));
    const expected =
      `git-ml: error: models:/bare/1: artifact 'weights' of run ${run} is a directory without an MLmodel file, so it is not a saved model. ` +
      `See what the run holds with \`git ml artifacts list ${run} weights\`; a model is logged with logModel (or saveModel into the run's artifacts), which writes the MLmodel file.\n`;
    for (const args of [['models', 'serve', '-m', 'models:/bare/1', '--port', '0'], ['models', 'predict', '-m', 'models:/bare/1', '-i', 'in.json']]) {
      const r = gitMl(repo, args);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(expected);
      expect(r.stderr).not.toMatch(/\.git|cache/);
    }
  });
});

