import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { exportMlruns, importMlruns } from '@git-ml/migrate';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mlflowMissing, python } from './mlflow-python.js';
import { CLI, git, GIT_ENV, newRepo, removeTemps, temp, withClients } from './repos.js';

interface Made {
  experiment_id: string;
  parent: string;
  child: string;
  failed: string;
  deleted: string;
  default_run: string;
  deleted_experiment_id: string;
  deleted_exp_run: string;
}

afterAll(() => {
  removeTemps();
});

describe.skipIf(mlflowMissing)(`import/export of MLflow FileStore trees made by real MLflow${mlflowMissing ? ` (skipped: ${mlflowMissing})` : ''}`, () => {
  let src: string;
  let made: Made;
  let repo: string;

  beforeAll(() => {
    src = join(temp('src'), 'mlruns');
    made = JSON.parse(python('make_mlruns.py', src));
    repo = newRepo();
  });

  it('imports experiments, runs, full histories, tags, artifacts and the registry, keeping every id', async () => {
    const s = await withClients(repo, (c, r) => importMlruns(c, r, src));
    expect(s.skipped).toEqual([]);
    expect(s.runs).toEqual({ created: 6, updated: 0, unchanged: 0 });
    expect(s.versions.created).toBe(2);
    await withClients(repo, (c, r) => {
      const exp = c.getExperiment(made.experiment_id);
      expect(exp.name).toBe('churn');
      expect(exp.tags).toEqual(expect.arrayContaining([{ key: 'team', value: 'ml' }, { key: 'note', value: 'multi word value' }]));
      expect(c.getExperiment(made.deleted_experiment_id).lifecycle_stage).toBe('deleted');
      const parent = c.getRun(made.parent);
      expect(parent.info).toMatchObject({ run_id: made.parent, run_name: 'parent', experiment_id: made.experiment_id, status: 'FINISHED', user_id: 'root', lifecycle_stage: 'active' });
      expect(Object.fromEntries(parent.data.params.map((p) => [p.key, p.value]))).toEqual({ lr: '0.01', layers: '3', 'path/like': 'a b' });
      const tags = Object.fromEntries(parent.data.tags.map((t) => [t.key, t.value]));
      expect(tags['mlflow.note.content']).toBe('a note\nwith two lines');
      expect(tags['mlflow.source.type']).toBe('LOCAL');
      expect(c.getMetricHistory(made.parent, 'loss').map((m) => [m.value, m.step])).toEqual([1, 0.5, 1 / 3, 0.25, 0.2].map((v, i) => [v, i]));
      expect(c.getMetricHistory(made.parent, 'nanny').map((m) => m.value)).toEqual([NaN, Infinity, -Infinity]);
      expect(c.getRun(made.child).data.tags).toContainEqual({ key: 'mlflow.parentRunId', value: made.parent });
      expect(c.getMetricHistory(made.failed, 'loss')).toEqual([{ key: 'loss', value: 3, timestamp: 1700000000123, step: 7 }]);
      expect(c.getRun(made.failed).info.status).toBe('FAILED');
      expect(c.getRun(made.deleted).info.lifecycle_stage).toBe('deleted');
      expect(c.getRun(made.default_run).info.experiment_id).toBe('0');
      expect(c.getRun(made.deleted_exp_run).info.experiment_id).toBe(made.deleted_experiment_id);
      expect(c.listArtifacts(made.parent, 'model/data')).toEqual([{ path: 'model/data/weights.bin', is_dir: false, file_size: 256 }]);
      const resolved = r.resolve('models:/churn-model@champion');
      expect(resolved).toMatchObject({ run_id: made.parent, artifact_path: 'model', version: '2' });
      expect(r.getModelVersion('churn-model', 1)).toMatchObject({ description: 'first', tags: [{ key: 'old', value: 'true' }, { key: 'git-ml.stage', value: 'Archived' }] });
      expect(r.getRegisteredModel('churn-model')).toMatchObject({ description: 'predicts churn', tags: [{ key: 'owner', value: 'ana' }] });
      // MLflow's registry times and users, not the import's
      const meta = (p: string) => parseYaml(readFileSync(join(src, 'models', 'churn-model', p, 'meta.yaml'), 'utf8'));
      for (const n of [1, 2]) {
        const mv = meta(`version-${n}`);
        expect(r.getModelVersion('churn-model', n)).toMatchObject({ creation_timestamp: mv.creation_timestamp, last_updated_timestamp: mv.last_updated_timestamp, user_id: mv.user_id ?? '' });
      }
      expect(r.getRegisteredModel('churn-model')).toMatchObject({ creation_timestamp: meta('').creation_timestamp, last_updated_timestamp: meta('').last_updated_timestamp });
      expect(r.resolve(`runs:/${made.parent}/model`).run_id).toBe(made.parent);
    });
    // C git sees the same
    const ref = `refs/ml/runs/${made.experiment_id}/${made.parent}`;
    expect(git(repo, 'rev-parse', '--verify', ref)).toMatch(/^[0-9a-f]{40}$/);
    expect(execFileSync('git', ['show', `${ref}:artifacts/model/data/weights.bin`], { cwd: repo })).toEqual(Buffer.from([...Array(256).keys()]));
    expect(git(repo, 'show', `${ref}:run.yaml`)).toContain(made.parent);
    expect(git(repo, 'cat-file', '-p', 'refs/tags/churn-model@v2')).toContain(made.parent);
    execFileSync('git', ['fsck', '--strict', '--no-progress'], { cwd: repo, env: GIT_ENV, stdio: 'pipe' });
  });

  it('importing again adds nothing and never duplicates a run', async () => {
    const before = git(repo, 'for-each-ref', 'refs/ml', 'refs/tags');
    const s = await withClients(repo, (c, r) => importMlruns(c, r, src));
    expect(s.runs).toEqual({ created: 0, updated: 0, unchanged: 6 });
    expect(s.experiments.created + s.experiments.updated).toBe(0);
    expect(s.versions).toEqual({ created: 0, updated: 0, unchanged: 2 });
    expect(git(repo, 'for-each-ref', 'refs/ml', 'refs/tags')).toBe(before);
  });

  it('adds only what changed in the source since, and resumes a run cut off part way', async () => {
    const copy = join(temp('changed'), 'mlruns');
    cpSync(src, copy, { recursive: true });
    const runDir = join(copy, made.experiment_id, made.parent);
    appendFileSync(join(runDir, 'metrics', 'loss'), '1796172619999 0.1 5\n1796172620000 0.05 6\n');
    writeFileSync(join(runDir, 'tags', 'stage'), 'prod');
    // a run whose import was cut off after two of its four points: the rest come, none twice
    const cut = join(copy, made.experiment_id, made.failed, 'metrics', 'loss');
    writeFileSync(cut, `${readFileSync(cut, 'utf8')}1700000000200 2.5 8\n1700000000300 2.0 9\n`);
    const s = await withClients(repo, (c, r) => importMlruns(c, r, copy));
    expect(s.runs).toEqual({ created: 0, updated: 2, unchanged: 4 });
    expect(s.metricPoints).toBe(4);
    expect(s.tags).toBe(1);
    await withClients(repo, (c) => {
      expect(c.getMetricHistory(made.parent, 'loss')).toHaveLength(7);
      expect(c.getMetricHistory(made.failed, 'loss').map((m) => m.value)).toEqual([3, 2.5, 2]);
      expect(c.getRun(made.parent).data.tags).toContainEqual({ key: 'stage', value: 'prod' });
    });
    const again = await withClients(repo, (c, r) => importMlruns(c, r, copy));
    expect(again.runs.unchanged).toBe(6);
  });

  it('exports a tree real MLflow reads with every value of the original', async () => {
    const fresh = newRepo();
    await withClients(fresh, (c, r) => importMlruns(c, r, src));
    const out = join(temp('out'), 'mlruns');
    const s = await withClients(fresh, (c, r) => exportMlruns(c, r, out));
    expect(s).toMatchObject({ experiments: 3, runs: 6, models: 1, versions: 2 });
    expect(JSON.parse(python('dump_mlruns.py', out))).toEqual(JSON.parse(python('dump_mlruns.py', src)));
  });

  it('imports only the experiments asked for with --experiment', async () => {
    const fresh = newRepo();
    const s = await withClients(fresh, (c, r) => importMlruns(c, r, src, { experiments: ['Default'] }));
    expect(s.runs.created).toBe(1);
    expect(s.models.created).toBe(0);
    expect(git(fresh, 'for-each-ref', '--format=%(refname)', 'refs/ml/runs')).toBe(`refs/ml/runs/0/${made.default_run}`);
  });

  it('CLI: --json and --experiment mean the same before or after mlruns PATH, and as --from PATH', () => {
    for (const args of [
      ['import', 'mlruns', src, '--json', '--experiment', 'Default'],
      ['import', '--json', 'mlruns', src, '--experiment', 'Default'],
      ['import', '--from', src, '--experiment', 'Default', '--json'],
    ]) {
      const fresh = newRepo();
      const r = spawnSync(process.execPath, [CLI, ...args], { cwd: fresh, env: GIT_ENV, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ source: src, runs: { created: 1, updated: 0, unchanged: 0 }, skipped: [] });
    }
  });

  it('skips broken items whole, names their paths, imports the rest (CLI: no stack trace, exit 1)', () => {
    const bad = join(temp('bad'), 'mlruns');
    cpSync(src, bad, { recursive: true });
    const e = made.experiment_id;
    writeFileSync(join(bad, e, made.child, 'meta.yaml'), 'run_id: [unclosed\n  : :');
    appendFileSync(join(bad, e, made.failed, 'metrics', 'loss'), 'not a metric line\n');
    // moved from another machine: neither the folder beside the run nor artifact_uri's path exists
    const meta = join(bad, '0', made.default_run, 'meta.yaml');
    writeFileSync(meta, readFileSync(meta, 'utf8').replace(/^artifact_uri: .*$/m, 'artifact_uri: file:///nowhere/mlruns/0/x/artifacts'));
    rmSync(join(bad, '0', made.default_run, 'artifacts'), { recursive: true });
    writeFileSync(join(bad, '.trash', made.deleted_experiment_id, 'meta.yaml'), '{{ not yaml');
    const fresh = newRepo();
    const r = spawnSync(process.execPath, [CLI, 'import', 'mlruns', bad], { cwd: fresh, env: GIT_ENV, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(join(bad, e, made.child, 'meta.yaml'));
    expect(r.stderr).toContain(`${join(bad, e, made.failed, 'metrics', 'loss')}:2`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toContain(`${join(bad, '0', made.default_run, 'artifacts')}: the artifacts folder is missing`);
    const refs = git(fresh, 'for-each-ref', '--format=%(refname)', 'refs/ml/runs');
    expect(refs).not.toContain(made.child);
    expect(refs).not.toContain(made.failed);
    expect(r.stderr).toContain(`${join(bad, '.trash', made.deleted_experiment_id, 'meta.yaml')}: experiment and its runs skipped: not valid YAML`);
    expect(refs).not.toContain(made.deleted_exp_run);
    expect(refs).toContain(made.parent);
    expect(refs).toContain(made.default_run);
    expect(git(fresh, 'tag', '-l')).toBe('churn-model@v1\nchurn-model@v2');
  });
});
