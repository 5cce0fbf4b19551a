/**
 * Sharing is plain git: `git push <remote> 'refs/ml/*:refs/ml/*'` and `git fetch` with the same
 * refspec carry runs (and the code they ran on) between clones, and a clone's MlClient sees exactly
 * what the original logged.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { MlClient, Run } from '@git-ml/tracking';
import { closeClients, fsckStrict, git, makeRepo, openClient, removeTempDirs, tempDir } from '@git-ml/test-support';

afterEach(closeClients);
afterAll(removeTempDirs);

function bareRepo(): string {
  const dir = tempDir('gitml-bare-');
  git(dir, 'init', '-q', '--bare');
  return dir;
}

function cloneOf(bare: string): string {
  const dir = join(tempDir('gitml-clone-'), 'work');
  git(tempDir(), 'clone', '-q', bare, dir);
  git(dir, 'config', 'user.name', 'Other');
  git(dir, 'config', 'user.email', 'other@example.com');
  return dir;
}

function snapshotOf(c: MlClient, exp: string) {
  return c
    .searchRuns(exp, '', { orderBy: ['attributes.start_time ASC'] })
    .runs.map((r: Run) => ({
      info: r.info,
      params: [...r.data.params].sort((a, b) => a.key.localeCompare(b.key)),
      tags: [...r.data.tags].sort((a, b) => a.key.localeCompare(b.key)),
      metrics: [...r.data.metrics].sort((a, b) => a.key.localeCompare(b.key)),
      history: c.getMetricHistory(r.info.run_id, 'loss'),
      artifacts: c.listArtifacts(r.info.run_id, 'notes'),
    }));
}

describe('sync with plain git', () => {
  it('push refs/ml/* to a bare repo, clone + fetch it: the clone sees the same runs, histories, artifacts and source commits', async () => {
    const a = makeRepo();
    writeFileSync(join(a, 'untracked.py'), 'print("only in the working tree")\n'); // dirty: the source is a snapshot
    const ca = openClient(a);
    const exp = ca.createExperiment('shared-exp');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const id = ca.createRun(exp, { runName: `run-${i}`, startTime: 1_000 + i }).info.run_id;
      ca.logParam(id, 'i', i);
      for (let s = 0; s < 4; s++) ca.logMetric(id, 'loss', 1 / (s + 1) + i, { step: s, timestamp: 50 + s });
      ca.logMetric(id, 'odd', Number.NaN, { step: 0 });
      ca.logText(id, `notes of ${i}`, 'notes/readme.md');
      if (i < 2) ca.setTerminated(id);
      ids.push(id);
    }
    ca.close();
    const expected = snapshotOf(openClient(a), exp);
    const snapshot = openClient(a).getRun(ids[0]).data.tags.find((t) => t.key === 'mlflow.source.git.commit')!.value;
    expect(snapshot).not.toBe(git(a, 'rev-parse', 'HEAD'));

    const bare = bareRepo();
    git(a, 'push', '-q', bare, 'refs/ml/*:refs/ml/*'); // runs only, no branch
    expect(git(bare, 'for-each-ref', '--format=%(refname)', 'refs/heads')).toBe('');
    expect(git(bare, 'for-each-ref', '--format=%(refname)', 'refs/ml/runs').split('\n').length).toBe(3);
    // the code the runs ran on travelled with them
    expect(git(bare, 'cat-file', '-t', snapshot)).toBe('commit');
    expect(git(bare, 'show', `${snapshot}:untracked.py`)).toBe('print("only in the working tree")');
    fsckStrict(bare);

    const b = cloneOf(bare);
    expect(git(b, 'for-each-ref', 'refs/ml')).toBe(''); // clone does not fetch refs/ml by itself
    git(b, 'fetch', '-q', 'origin', 'refs/ml/*:refs/ml/*');
    const cb = openClient(b);
    expect(cb.getExperimentByName('shared-exp')?.experiment_id).toBe(exp);
    const got = snapshotOf(cb, exp);
    expect(got.length).toBe(3);
    expect(got).toEqual(expected);
    expect(Number.isNaN(cb.getMetricHistory(ids[0], 'odd')[0].value)).toBe(true);
    const dl = await cb.downloadArtifacts(ids[2], 'notes/readme.md', tempDir());
    expect(readFileSync(dl, 'utf8')).toBe('notes of 2');
    expect(git(b, 'cat-file', '-t', snapshot)).toBe('commit');
    fsckStrict(b);

    // more logging in A; push again; the clone's already-open client sees it after a plain fetch
    const ca2 = openClient(a);
    ca2.logMetric(ids[2], 'loss', 0.001, { step: 99, timestamp: 999 });
    ca2.setTerminated(ids[2]);
    const late = ca2.createRun(exp, { runName: 'late', startTime: 2_000 }).info.run_id;
    ca2.logParam(late, 'i', 'late');
    ca2.close();
    git(a, 'push', '-q', bare, 'refs/ml/*:refs/ml/*');
    git(b, 'fetch', '-q', 'origin', 'refs/ml/*:refs/ml/*');
    const runs = cb.searchRuns(exp).runs;
    expect(runs.length).toBe(4);
    expect(runs.find((r) => r.info.run_id === late)?.data.params).toEqual([{ key: 'i', value: 'late' }]);
    const r2 = runs.find((r) => r.info.run_id === ids[2])!;
    expect(r2.info.status).toBe('FINISHED');
    expect(cb.getMetricHistory(ids[2], 'loss').map((p) => p.step)).toEqual([0, 1, 2, 3, 99]);
    expect(cb.getRun(ids[2]).info.status).toBe('FINISHED');
    fsckStrict(b);
  }, 60_000);

  it('two clones that each create an experiment with the same name get the same id, and their runs meet in it', () => {
    const origin = makeRepo();
    const bare = bareRepo();
    git(origin, 'push', '-q', bare, 'main');
    const d = cloneOf(bare);
    const e = cloneOf(bare);

    const cd = openClient(d);
    const ce = openClient(e);
    const idD = cd.createExperiment('churn model');
    const idE = ce.createExperiment('churn model');
    expect(idD).toBe(idE);
    expect(cd.createExperiment('another name')).not.toBe(idD);
    const runD = cd.createRun(idD, { runName: 'from-d' }).info.run_id;
    cd.logMetric(runD, 'auc', 0.8);
    const runE = ce.createRun(idE, { runName: 'from-e' }).info.run_id;
    ce.logMetric(runE, 'auc', 0.9);
    cd.close();
    ce.close();

    git(d, 'push', '-q', 'origin', 'refs/ml/*:refs/ml/*');
    git(e, 'push', '-q', 'origin', 'refs/ml/runs/*:refs/ml/runs/*');
    const f = cloneOf(bare);
    git(f, 'fetch', '-q', 'origin', 'refs/ml/*:refs/ml/*');
    const cf = openClient(f);
    expect(cf.getExperimentByName('churn model')?.experiment_id).toBe(idD);
    const names = cf.searchRuns(idD).runs.map((r) => r.info.run_name).sort();
    expect(names).toEqual(['from-d', 'from-e']);
    expect(cf.searchRuns(idD, 'metrics.auc > 0.85').runs.map((r) => r.info.run_id)).toEqual([runE]);
    fsckStrict(f);
  }, 60_000);
});
