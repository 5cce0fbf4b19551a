/**
 * `npm run workshop` end to end, as a new user runs it: a fresh repository, every step narrated,
 * the quality bar of the default models, and the whole tour well under a minute.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const WORKSHOP = resolve(import.meta.dirname, 'workshop.mjs');
const CLI = resolve(import.meta.dirname, '../../packages/cli/bin/git-ml.js');

describe('npm run workshop', () => {
  it('runs the whole tour in a fresh repository in under 60 s, with the quality bar met', () => {
    const parent = mkdtempSync(join(tmpdir(), 'workshop-test-'));
    const repo = join(parent, 'repo');
    try {
      const t = Date.now();
      const r = spawnSync(process.execPath, [WORKSHOP, '--repo', repo], { encoding: 'utf8', env: { ...process.env, GIT_ML_REPO: '', MLFLOW_TRACKING_URI: '' } });
      const seconds = (Date.now() - t) / 1000;
      expect(r.status, r.stderr).toBe(0);
      expect(seconds).toBeLessThan(60);
      const out = r.stdout;
      for (const s of ['0. Data', '1. Tracking', '2. Model Registry', '3. Models', '4. Projects', 'Where to look next']) expect(out).toContain(s);
      expect(out).toMatch(/1000\/1000 rows identical/);
      const acc = (label: string) => Number(new RegExp(`${label}\\s+test_accuracy=([0-9.]+)`).exec(out)![1]);
      // scikit-learn on the same split: LogisticRegression 0.855, XGBoost (100 trees, depth 3) 0.89–0.90
      expect(Math.abs(acc('logreg C=1') - 0.855)).toBeLessThanOrEqual(0.015);
      expect(acc('gbdt lr=0.3 depth=3')).toBeGreaterThanOrEqual(0.875);
      expect(acc('gbdt lr=0.3 depth=3')).toBeLessThanOrEqual(0.915);
      expect(out).toMatch(/POST \/invocations .* → \{"predictions":\[[01],[01],[01]\]\}/);
      expect(out).toMatch(/reproduced exactly: every metric is the same\./);
      const tags = spawnSync('git', ['tag', '-l'], { cwd: repo, encoding: 'utf8' }).stdout.trim().split('\n');
      expect(tags).toEqual(['workshop-classifier@v1', 'workshop-classifier@v2', 'workshop-classifier@v3', 'workshop-classifier@v4', 'workshop-classifier@v5']);
      expect(spawnSync('git', ['fsck', '--strict'], { cwd: repo, encoding: 'utf8' }).status).toBe(0);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  // issue 16: the runner logs the MLproject's float default as '1.0', train.mjs logs the same
  // number from JavaScript; neither may turn into a write-once conflict
  it.each([
    ['every parameter left at its default (gbdt)', [], { model: 'gbdt', learning_rate: '0.3', n_estimators: '100', max_depth: '3', seed: '42' }],
    ['-P model=logreg, the rest at their defaults', ['-P', 'model=logreg'], { model: 'logreg', C: '1.0', seed: '42' }],
  ])('git-ml run -e train with %s', (_name, extra, params) => {
    const repo = mkdtempSync(join(tmpdir(), 'workshop-entry-'));
    try {
      spawnSync('git', ['init', '-q'], { cwd: repo });
      const env = { ...process.env, GIT_ML_REPO: repo, MLFLOW_TRACKING_URI: '' };
      const r = spawnSync(process.execPath, [CLI, 'run', import.meta.dirname, '-e', 'train', '--env-manager', 'local', ...extra, '--json'], { cwd: repo, encoding: 'utf8', env });
      expect(r.status, r.stderr).toBe(0);
      const run = JSON.parse(r.stdout);
      expect(run).toMatchObject({ status: 'FINISHED', exitCode: 0, parameters: params });
      const shown = spawnSync(process.execPath, [CLI, 'runs', 'show', run.runId, '--json'], { cwd: repo, encoding: 'utf8', env });
      expect(shown.status, shown.stderr).toBe(0);
      const logged = Object.fromEntries(JSON.parse(shown.stdout).run.data.params.map((p: { key: string; value: string }) => [p.key, p.value]));
      expect(logged).toMatchObject(params);
      expect(r.stderr).toMatch(/test_accuracy=0\.[89]\d+/);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});
