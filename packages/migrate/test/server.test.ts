import { execFileSync, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { exportMlruns, importServer } from '@git-ml/migrate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, mlflowMissing, python, startMlflowServer } from './mlflow-python.js';
import { cli, CLI, git, GIT_ENV, newRepo, removeTemps, temp, withClients } from './repos.js';

/** Everything MLflow's own client reads from a server or tree, with version sources left out (they name the old store). */
function dump(where: string): any {
  const d = JSON.parse(python('dump_mlruns.py', where));
  for (const v of d.versions) delete v.source;
  return d;
}

/** Exports a repository and dumps the tree with MLflow's client. */
async function dumpRepo(repo: string): Promise<any> {
  const out = join(temp('out'), 'mlruns');
  await withClients(repo, (c, r) => exportMlruns(c, r, out));
  return dump(out);
}

interface Filled {
  experiment_id: string;
  parent: string;
  child: string;
  long: string;
  failed: string;
  deleted: string;
  default_run: string;
  deleted_experiment_id: string;
  deleted_exp_run: string;
}

const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const stop of stops) await stop();
  removeTemps();
});

describe.skipIf(mlflowMissing)(`import from a running MLflow 2.12.2 tracking server${mlflowMissing ? ` (skipped: ${mlflowMissing})` : ''}`, () => {
  let url: string;
  let made: Filled;
  let repo: string;

  beforeAll(async () => {
    const server = await startMlflowServer(temp('mlflow'));
    stops.push(server.stop);
    url = server.url;
    made = JSON.parse(python('fill_server.py', url));
    repo = newRepo();
  }, 120_000);

  it('imports experiments, runs, full histories, artifacts and the registry through the REST API, keeping every id', async () => {
    const s = await withClients(repo, (c, r) => importServer(c, r, url));
    expect(s.skipped).toEqual([]);
    expect(s.warnings).toEqual([]);
    expect(s.experiments).toEqual({ created: 3, updated: 0, unchanged: 0 });
    expect(s.runs).toEqual({ created: 7, updated: 0, unchanged: 0 });
    expect(s.metricPoints).toBe(5 + 3 + 1 + 1 + 2500 + 1 + 1);
    expect(s.versions.created).toBe(3);
    await withClients(repo, (c, r) => {
      expect(c.getExperiment(made.deleted_experiment_id).lifecycle_stage).toBe('deleted');
      expect(c.getRun(made.deleted_exp_run).info.experiment_id).toBe(made.deleted_experiment_id);
      expect(c.getRun(made.deleted).info.lifecycle_stage).toBe('deleted');
      expect(c.getRun(made.failed).info.status).toBe('FAILED');
      expect(c.getRun(made.child).data.tags).toContainEqual({ key: 'mlflow.parentRunId', value: made.parent });
      // MLflow's SQL store keeps ±inf as ±DBL_MAX (databases lack infinities): that is what it serves
      expect(c.getMetricHistory(made.parent, 'nanny').map((m) => m.value)).toEqual([NaN, Number.MAX_VALUE, -Number.MAX_VALUE]);
      expect(c.getMetricHistory(made.long, 'curve')).toHaveLength(2500);
      expect(c.getMetricHistory(made.failed, 'loss')).toEqual([{ key: 'loss', value: 3, timestamp: 1700000000123, step: 7 }]);
      // version numbers are MLflow's: gappy's v1 was deleted there, so it has only a v2 here too
      expect(r.resolve('models:/churn-model@champion')).toMatchObject({ run_id: made.parent, artifact_path: 'model', version: '2' });
      expect(r.getModelVersion('churn-model', 2).tags).toContainEqual({ key: 'git-ml.stage', value: 'Production' });
      expect(r.resolve('models:/gappy/2')).toMatchObject({ run_id: made.parent, artifact_path: 'model/data' });
      expect(() => r.getModelVersion('gappy', 1)).toThrow(/does not exist/);
    });
    const ref = `refs/ml/runs/${made.experiment_id}/${made.parent}`;
    expect(execFileSync('git', ['show', `${ref}:artifacts/model/data/weights.bin`], { cwd: repo })).toEqual(Buffer.from([...Array(256).keys()]));
    expect(git(repo, 'show', `${ref}:artifacts/docs/text/notes with space.txt`)).toBe('hello');
    execFileSync('git', ['fsck', '--strict', '--no-progress'], { cwd: repo, env: GIT_ENV, stdio: 'pipe' });
    // every value MLflow's client shows — runs, histories, artifacts with checksums, models,
    // versions with stages, users and times — is the same read back from an export of the import
    expect(await dumpRepo(repo)).toEqual(dump(url));
  }, 120_000);

  it('importing again adds nothing and moves no ref', async () => {
    const before = git(repo, 'for-each-ref', 'refs/ml', 'refs/tags');
    const s = await withClients(repo, (c, r) => importServer(c, r, url));
    expect(s.runs).toEqual({ created: 0, updated: 0, unchanged: 7 });
    expect(s.runsWithNewArtifacts).toBe(0);
    expect(s.versions).toEqual({ created: 0, updated: 0, unchanged: 3 });
    expect(s.models).toEqual({ created: 0, updated: 0, unchanged: 2 });
    expect(git(repo, 'for-each-ref', 'refs/ml', 'refs/tags')).toBe(before);
  }, 60_000);

  it('adds only what is new on the server since the last import (CLI, --json)', async () => {
    const more = JSON.parse(python('fill_server.py', url, 'more'));
    const r = cli(repo, 'import', '--from', url, '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.runs).toEqual({ created: 1, updated: 1, unchanged: 6 });
    expect(s.metricPoints).toBe(1 + 1);
    expect(s.versions).toEqual({ created: 1, updated: 0, unchanged: 3 });
    expect(s.models.updated).toBe(1);
    await withClients(repo, (c, reg) => {
      expect(c.getMetricHistory(made.parent, 'loss')).toHaveLength(6);
      expect(reg.resolve('models:/churn-model/3')).toMatchObject({ run_id: more.later, artifact_path: 'out' });
    });
    expect(await dumpRepo(repo)).toEqual(dump(url));
  }, 120_000);

  it('imports from a git-ml server the same way (git-ml → git-ml over HTTP)', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [CLI, '--repo', repo, 'server', '--port', String(port)], { env: GIT_ENV, stdio: ['ignore', 'ignore', 'pipe'] });
    stops.push(async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
    });
    let err = '';
    await new Promise<void>((ok, fail) => {
      child.stderr.on('data', (c) => {
        err += c;
        if (err.includes(`:${port}`)) ok();
      });
      child.on('exit', (code) => fail(new Error(`git-ml server exited ${code}: ${err}`)));
    });
    const copy = newRepo();
    const r = cli(copy, 'import', '--from', `http://127.0.0.1:${port}`);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('runs:        8 new, 0 updated, 0 unchanged');
    expect(await dumpRepo(copy)).toEqual(await dumpRepo(repo));
  }, 120_000);

  it('imports from a server that does not proxy artifacts (--no-serve-artifacts), through /get-artifact', async () => {
    const plain = await startMlflowServer(temp('mlflow-plain'), { proxyArtifacts: false });
    stops.push(plain.stop);
    const filled: Filled = JSON.parse(python('fill_server.py', plain.url));
    const fresh = newRepo();
    const s = await withClients(fresh, (c, r) => importServer(c, r, plain.url));
    expect(s.skipped).toEqual([]);
    expect(s.warnings).toEqual([]);
    expect(s.runsWithNewArtifacts).toBe(1);
    expect(execFileSync('git', ['show', `refs/ml/runs/${filled.experiment_id}/${filled.parent}:artifacts/model/data/weights.bin`], { cwd: fresh })).toEqual(Buffer.from([...Array(256).keys()]));
    expect(await dumpRepo(fresh)).toEqual(dump(plain.url));
  }, 120_000);

  it('a server that cannot be reached is one clear error, no stack trace, nothing written', async () => {
    const fresh = newRepo();
    const port = await freePort();
    const r = cli(fresh, 'import', '--from', `http://127.0.0.1:${port}`);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`Cannot reach the tracking server at http://127.0.0.1:${port}`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(git(fresh, 'for-each-ref', 'refs/ml')).toBe('');
    const notMlflow = cli(fresh, 'import', '--from', `${url}/nothing-here`);
    expect(notMlflow.status).not.toBe(0);
    expect(notMlflow.stderr).toContain("does not answer MLflow's REST API");
  }, 60_000);
});
