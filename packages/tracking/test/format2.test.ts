/**
 * Run format 2: chunked metric histories whose folds cost what they add, the summary in
 * metrics.yaml, time-scheduled folds, format-1 records read, converted and merged, `migrate`.
 * Everything is checked with the real git binary as well.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { pull } from '@git-ml/tracking';
import { CHUNK_POINTS } from '../src/store/metric-series.js';
import { closeClients, fsckStrict, git, gitBuf, makeRepo, metricLinesViaGit, openClient, removeTempDirs, sleep, tempDir } from '@git-ml/test-support';

afterEach(() => {
  closeClients();
  removeTempDirs();
});

/** Objects reachable from `tip` but not from `base`, with their sizes (C git's view). */
function addedObjects(repo: string, tip: string, base: string): { count: number; bytes: number } {
  const list = git(repo, 'rev-list', '--objects', tip, `^${base}`).split('\n').filter(Boolean).map((l) => l.split(' ')[0]);
  const sizes = gitBuf(repo, ['cat-file', '--batch-check=%(objectsize)'], `${list.join('\n')}\n`).toString().split('\n').filter(Boolean).map(Number);
  return { count: list.length, bytes: sizes.reduce((a, b) => a + b, 0) };
}

function looseCount(repo: string): number {
  return Number(/^count: (\d+)$/m.exec(git(repo, 'count-objects', '-v'))![1]);
}

/** A format-1 run record made with C git alone: whole-history metric files, `git-ml/run@1`. */
function writeFormat1Run(repo: string, runId: string, points: number, parent?: string): string {
  const blob = (text: string) => gitBuf(repo, ['hash-object', '-w', '--stdin'], text).toString().trim();
  let history = '';
  for (let i = 0; i < points; i++) history += `${1700000000000 + i} ${i / 10} ${i}\n`;
  const runYaml = `format: "git-ml/run@1"\nrun_id: "${runId}"\nrun_name: "old"\nexperiment_id: "0"\nuser_id: "u"\nstatus: "FINISHED"\nstart_time: 1700000000000\nend_time: 1700000009999\nlifecycle_stage: "active"\n`;
  const metrics = gitBuf(repo, ['mktree'], `100644 blob ${blob(history)}\tloss\n`).toString().trim();
  const tree = gitBuf(
    repo,
    ['mktree'],
    `100644 blob ${blob(runYaml)}\trun.yaml\n100644 blob ${blob('lr: "0.1"\n')}\tparams.yaml\n100644 blob ${blob('mlflow.runName: "old"\n')}\ttags.yaml\n040000 tree ${metrics}\tmetrics\n`,
  )
    .toString()
    .trim();
  const commit = git(repo, 'commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', 'format 1 run');
  git(repo, 'update-ref', `refs/ml/runs/0/${runId}`, commit);
  return commit;
}

describe('run format 2', () => {
  it('a loop that yields between steps: chunked history, summary line, few objects, fsck clean, every point read back', async () => {
    const repo = makeRepo();
    const c = openClient(repo);
    const run = c.createRun('0').info.run_id;
    const steps = 2500;
    for (let i = 0; i < steps; i++) {
      c.logMetric(run, 'loss', 1 / (i + 1), { step: i });
      c.logMetric(run, 'acc', i / steps, { step: i });
      await new Promise((r) => setImmediate(r));
    }
    c.setTerminated(run);
    c.flush();
    const ref = `refs/ml/runs/0/${run}`;
    const chunks = git(repo, 'ls-tree', `${ref}:metrics/loss`).split('\n');
    expect(chunks.length).toBeGreaterThanOrEqual(Math.ceil(steps / CHUNK_POINTS));
    for (const line of chunks) expect(line).toMatch(/^100644 blob [0-9a-f]{40}\t\d{9}$/);
    const lines = metricLinesViaGit(repo, ref, 'loss');
    expect(lines.length).toBe(steps);
    expect(lines.map((l) => Number(l.split(' ')[2]))).toEqual([...Array(steps).keys()]);
    const summary = git(repo, 'show', `${ref}:metrics.yaml`);
    expect(summary).toMatch(new RegExp(`^loss: \\{"value":${1 / steps},"step":${steps - 1},"timestamp":\\d+,"count":${steps},"min":${1 / steps},"max":1\\}$`, 'm'));
    expect(git(repo, 'show', `${ref}:run.yaml`)).toContain('format: "git-ml/run@2"');
    // a handful of folds at most (about one a second), each one pack: no thousands of loose objects
    expect(looseCount(repo)).toBeLessThan(60);
    expect(c.getMetricHistory(run, 'acc').length).toBe(steps);
    expect(c.getRun(run).data.metrics.find((m) => m.key === 'loss')).toMatchObject({ step: steps - 1, value: 1 / steps });
    fsckStrict(repo);
  }, 60_000);

  it('appending to a long history adds objects the size of what was appended, not of the history', () => {
    const repo = makeRepo();
    const c = openClient(repo);
    const run = c.createRun('0').info.run_id;
    const ref = `refs/ml/runs/0/${run}`;
    const addPoints = (from: number, n: number) => {
      for (let i = from; i < from + n; i++) c.logMetric(run, 'loss', i * 1.5, { step: i });
      c.flush();
      return git(repo, 'rev-parse', ref);
    };
    let head = addPoints(0, 40_000);
    const costs: number[] = [];
    for (let round = 0; round < 12; round++) {
      const next = addPoints(40_000 + round * 10, 10);
      costs.push(addedObjects(repo, next, head).bytes);
      head = next;
    }
    // 10 points are ~300 bytes of text; the history is ~1 MB. A fold may rewrite a few open chunks
    // and the chunk listing (~45 names), never the history.
    expect(Math.max(...costs)).toBeLessThan(16_000);
    expect(metricLinesViaGit(repo, ref, 'loss').length).toBe(40_120);
    fsckStrict(repo);
  }, 60_000);

  it('reads run values before they are folded, and folds within about a second without flush()', async () => {
    const repo = makeRepo();
    const writer = openClient(repo);
    const run = writer.createRun('0').info.run_id;
    writer.logMetric(run, 'loss', 0.5, { step: 3 });
    writer.setTag(run, 'phase', 'warmup');
    const reader = openClient(repo);
    const seen = reader.getRun(run);
    expect(seen.data.metrics).toEqual([expect.objectContaining({ key: 'loss', value: 0.5, step: 3 })]);
    expect(seen.data.tags).toContainEqual({ key: 'phase', value: 'warmup' });
    const ref = `refs/ml/runs/0/${run}`;
    for (let i = 0; i < 40 && !git(repo, 'for-each-ref', ref); i++) await sleep(100);
    expect(git(repo, 'show', `${ref}:tags.yaml`)).toContain('phase: "warmup"');
  }, 30_000);

  it('a run name cannot inject journal trailers: the message stays one subject line and nothing is lost', () => {
    const repo = makeRepo();
    const c = openClient(repo);
    const evil = 'x\n\nGit-ml-journal: 1-aaaaaaaaaaaa 99999999';
    const run = c.createRun('0', { runName: evil }).info.run_id;
    for (let i = 0; i < 5; i++) c.logMetric(run, 'm', i, { step: i });
    c.flush();
    c.logMetric(run, 'm', 5, { step: 5 });
    c.close();
    const ref = `refs/ml/runs/0/${run}`;
    const subject = git(repo, 'log', '-1', '--format=%s', ref);
    expect(subject).toBe('git-ml: run x Git-ml-journal: 1-aaaaaaaaaaaa 99999999 (RUNNING)');
    expect(git(repo, 'log', '-1', '--format=%(trailers:key=Git-ml-journal,valueonly)', ref)).not.toContain('99999999');
    expect(metricLinesViaGit(repo, ref, 'm').length).toBe(6);
    expect(openClient(repo).getRun(run).info.run_name).toBe(evil);
  });
});

describe('big folds', () => {
  it('one fold of 10 000 new runs (about 140 000 objects) lands in one pack with every ref', () => {
    const repo = makeRepo();
    const c = openClient(repo);
    const exp = c.createExperiment('many');
    for (let i = 0; i < 10_000; i++) {
      const id = c.createRun(exp, { runName: `r${i}`, recordSource: false }).info.run_id;
      c.logBatch(id, { metrics: [{ key: 'a', value: i }, { key: 'b', value: 1 }, { key: 'c', value: 2 }], params: { i: String(i) } });
      c.setTerminated(id);
    }
    c.flush();
    expect(git(repo, 'for-each-ref', '--format=%(refname)', `refs/ml/runs/${exp}/`).split('\n').filter(Boolean)).toHaveLength(10_000);
    expect(looseCount(repo)).toBeLessThan(10);
    expect(c.searchRuns(exp, 'metrics.a >= 9990', { maxResults: 100 }).runs).toHaveLength(10);
  }, 120_000);
});

describe('format 1 records', () => {
  it('are read as they are, converted by the next fold, and `migrate` converts the rest once', () => {
    const repo = makeRepo();
    const a = 'a'.repeat(32);
    const b = 'b'.repeat(32);
    writeFormat1Run(repo, a, 2500);
    writeFormat1Run(repo, b, 10);
    const c = openClient(repo);
    expect(c.getRun(a).data.metrics).toEqual([{ key: 'loss', value: 249.9, step: 2499, timestamp: 1700000002499 }]);
    expect(c.getMetricHistory(a, 'loss').length).toBe(2500);
    expect(c.searchRuns('0', 'metrics.loss > 100').runs.map((r) => r.info.run_id)).toEqual([a]);
    // the next fold converts it, keeping the history
    c.logMetric(a, 'loss', 0, { step: 2500 });
    c.flush();
    const ref = `refs/ml/runs/0/${a}`;
    expect(git(repo, 'show', `${ref}:run.yaml`)).toContain('git-ml/run@2');
    expect(git(repo, 'cat-file', '-t', `${ref}:metrics/loss`)).toBe('tree');
    expect(metricLinesViaGit(repo, ref, 'loss').length).toBe(2501);
    expect(git(repo, 'show', `${ref}:metrics.yaml`)).toMatch(/^loss: \{"value":0,"step":2500,"timestamp":\d+,"count":2501,"min":0,"max":249.9\}$/m);
    // migrate converts the other one; a second migrate has nothing to do
    const first = c.migrate();
    expect(first.converted).toEqual([`refs/ml/runs/0/${b}`]);
    expect(first.current).toBe(1);
    expect(git(repo, 'show', `refs/ml/runs/0/${b}:run.yaml`)).toContain('git-ml/run@2');
    expect(git(repo, 'rev-parse', `refs/ml/runs/0/${b}~1`)).toMatch(/^[0-9a-f]{40}$/); // history kept
    expect(c.migrate()).toEqual({ converted: [], current: 2, failed: [] });
    expect(c.getMetricHistory(b, 'loss').map((m) => m.step)).toEqual([...Array(10).keys()]);
    fsckStrict(repo);
  });

  it('a run changed in a format-1 clone and in a format-2 clone merges on pull: the union of both histories', () => {
    const remote = tempDir('gitml-remote-');
    git(remote, 'init', '-q', '--bare');
    const one = makeRepo();
    const runId = 'c'.repeat(32);
    const base = writeFormat1Run(one, runId, 5);
    git(one, 'push', '-q', remote, 'refs/ml/*:refs/ml/*');
    const two = makeRepo();
    git(two, 'fetch', '-q', remote, 'refs/ml/*:refs/ml/*');
    // clone two logs (its fold writes format 2) and pushes
    const c2 = openClient(two);
    c2.logMetric(runId, 'loss', 42, { step: 100, timestamp: 1800000000000 });
    c2.close();
    git(two, 'push', '-q', remote, 'refs/ml/*:refs/ml/*');
    // clone one changes the run by hand, still in format 1 (7 points instead of 5)
    writeFormat1Run(one, runId, 7, base);
    git(one, 'remote', 'add', 'origin', remote);
    const c1 = openClient(one);
    const res = pull(c1, 'origin');
    expect(res.merged).toEqual([`refs/ml/runs/0/${runId}`]);
    const steps = c1.getMetricHistory(runId, 'loss').map((m) => m.step);
    expect(steps).toEqual([0, 1, 2, 3, 4, 5, 6, 100]);
    const ref = `refs/ml/runs/0/${runId}`;
    expect(git(one, 'show', `${ref}:run.yaml`)).toContain('git-ml/run@2');
    expect(metricLinesViaGit(one, ref, 'loss').length).toBe(8);
    fsckStrict(one);
  });
});
