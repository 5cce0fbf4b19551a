/**
 * Realistic data for the web UI's browser tests, screenshots and benchmark: an experiment with a
 * sweep of nested runs, long metric histories, a running run, artifacts of every previewable kind,
 * a logged model registered twice with an alias, and a run of uncommitted changes.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MlClient } from '@git-ml/tracking';
import { RegistryClient } from '@git-ml/registry';

const MLMODEL = `artifact_path: model
flavors:
  git_ml:
    package: '@git-ml/flavor-linear'
    model_class: LogisticRegression
mlflow_version: 2.12.2
model_uuid: 0f4b1c2d3e4f40718293a4b5c6d7e8f9
run_id: RUNID
signature:
  inputs: '[{"type": "double", "name": "tenure", "required": true}, {"type": "double",
    "name": "monthly_charges", "required": true}]'
  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}]'
  params: null
utc_time_created: '2026-12-01 10:00:00.000000'
`;

const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="80"><rect width="120" height="80" fill="#eef"/><circle cx="60" cy="40" r="30" fill="#36c"/></svg>';

/** Fills `repo` (a git repository with one commit) and returns what the tests look for. */
export async function fillUiRepo(repo, { steps = 200 } = {}) {
  let client = new MlClient({ repo });
  const registry = new RegistryClient({ tracking: client });
  const exp = client.createExperiment('churn');
  client.createExperiment('empty-experiment');
  const t0 = Date.UTC(2026, 11, 1, 9, 0, 0);
  const runs = [];
  const parent = client.createRun(exp, { runName: 'sweep', startTime: t0 });
  client.setTerminated(parent.info.run_id, 'FINISHED', t0 + 600_000);
  const models = ['logreg', 'gbt', 'gbt', 'logreg', 'gbt', 'mlp'];
  const lrs = [0.1, 0.3, 0.1, 1.0, 0.03, 0.01];
  for (let i = 0; i < models.length; i++) {
    const run = client.createRun(exp, { runName: `${models[i]}-${i}`, startTime: t0 + i * 60_000, tags: { 'mlflow.parentRunId': parent.info.run_id, team: i % 2 ? 'risk' : 'growth' } });
    const id = run.info.run_id;
    client.logBatch(id, { params: [{ key: 'model', value: models[i] }, { key: 'lr', value: String(lrs[i]) }, { key: 'n_estimators', value: String(50 * (i + 1)) }] });
    const metrics = [];
    for (let s = 0; s < steps; s++) {
      const t = t0 + i * 60_000 + s * 250;
      metrics.push({ key: 'loss', value: 0.7 * Math.exp((-s * lrs[i] * 3) / steps) + 0.05 * Math.sin(s / 7) + 0.1 + i * 0.01, step: s, timestamp: t });
      if (s % 10 === 0) metrics.push({ key: 'val_accuracy', value: 0.7 + 0.2 * (1 - Math.exp((-s * lrs[i] * 4) / steps)) + i * 0.005, step: s, timestamp: t });
    }
    for (let k = 0; k < metrics.length; k += 1000) client.logBatch(id, { metrics: metrics.slice(k, k + 1000) });
    client.setTerminated(id, i === 5 ? 'FAILED' : 'FINISHED', t0 + i * 60_000 + steps * 250);
    runs.push(run.info.run_id);
  }
  // the best run gets artifacts of every previewable kind and a logged, registered model
  const best = runs[1];
  client.logText(best, 'epoch,loss,accuracy\n1,0.62,0.71\n2,0.41,0.83\n3,0.33,0.88\n', 'eval/history.csv');
  client.logText(best, JSON.stringify({ accuracy: 0.905, f1: 0.89, confusion: [[90, 8], [11, 91]] }), 'eval/metrics.json');
  client.logText(best, 'threshold: 0.5\nfeatures:\n  - tenure\n  - monthly_charges\n', 'config.yaml');
  client.logText(best, SVG, 'plots/roc.svg');
  client.logText(best, 'training finished in 12.3 s\n', 'train.log');
  client.logText(best, MLMODEL.replace('RUNID', best), 'model/MLmodel');
  client.logText(best, '{"coef": [[0.4, -1.2]], "intercept": [0.1]}', 'model/model.json');
  client.logText(runs[0], MLMODEL.replace('RUNID', runs[0]), 'model/MLmodel');
  registry.createRegisteredModel('churn-model', { description: 'Predicts which customers leave.' });
  registry.createModelVersion('churn-model', `runs:/${runs[0]}/model`, runs[0]);
  registry.createModelVersion('churn-model', `runs:/${best}/model`, best);
  registry.setRegisteredModelAlias('churn-model', 'champion', 2);
  registry.setRegisteredModelAlias('churn-model', 'challenger', 1);

  // a run of uncommitted changes: its source diff is shown on the run page
  // (a new client: one process takes its snapshot once unless HEAD or the index move)
  writeFileSync(join(repo, 'train.py'), 'learning_rate = 0.3\nprint("training")\n');
  client.flush();
  client.close();
  client = new MlClient({ repo });
  const dirty = client.createRun(exp, { runName: 'dirty-edit', startTime: t0 + 3_600_000 });
  client.logMetric(dirty.info.run_id, 'loss', 0.5, { step: 0 });
  client.setTerminated(dirty.info.run_id, 'FINISHED', t0 + 3_700_000);

  // one run still running
  const live = client.createRun(exp, { runName: 'live', startTime: Date.now(), ownedByProcess: false });
  client.logMetric(live.info.run_id, 'loss', 0.9, { step: 0 });
  client.flush();
  registry.close();
  client.close();
  return { experimentId: exp, parentId: parent.info.run_id, runIds: runs, bestId: best, dirtyId: dirty.info.run_id, liveId: live.info.run_id };
}

/** A fresh repository with one commit (C git, as a user would make it). */
export function makeUiRepo(dir) {
  mkdirSync(dir, { recursive: true });
  const git = (...args) => execFileSync('git', args, { cwd: dir, stdio: 'pipe', env: { ...process.env, GIT_AUTHOR_NAME: 'ui', GIT_AUTHOR_EMAIL: 'ui@example.com', GIT_COMMITTER_NAME: 'ui', GIT_COMMITTER_EMAIL: 'ui@example.com' } });
  git('init', '-q', '-b', 'main');
  writeFileSync(join(dir, 'train.py'), 'learning_rate = 0.1\nprint("training")\n');
  git('add', '.');
  git('commit', '-q', '-m', 'first');
  return dir;
}
