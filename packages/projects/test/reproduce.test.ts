/**
 * reproduce(): re-runs a run from its recorded commit (dirty snapshots included) and compares every
 * metric's final value; works for project runs and for scripts that recorded their entry point.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { compareMetrics, formatMetricComparison, reproduce, runProject } from '@git-ml/projects';
import { closeClients, git, makeRepo, openClient, removeTempDirs, startNode, tempDir } from '@git-ml/test-support';
import { commitFiles, quiet, rejection, tagOf, trainScript, writeFiles } from './fixtures.js';

afterEach(closeClients);
afterAll(removeTempDirs);

const MLPROJECT = `entry_points:
  main:
    parameters:
      lr: {type: float, default: 0.1}
      counter: {type: string, default: ""}
    command: "node train.mjs {lr} {counter}"
`;

/** Logs loss = f(lr) (deterministic) and, when given a counter file, how many times it ran (not). */
const TRAIN = trainScript(`
import { mkdirSync, writeFileSync } from 'node:fs';
logMetric('loss', Number(args[0]) / 4, 1);
logMetric('loss', Number(args[0]) / 8, 2);
if (args[1]) {
  const n = (existsSync(args[1]) ? Number(readFileSync(args[1], 'utf8')) : 0) + 1;
  writeFileSync(args[1], String(n));
  logMetric('runs_so_far', n);
}
`);

function projectRepo(): string {
  const repo = makeRepo();
  commitFiles(repo, { MLproject: MLPROJECT, 'train.mjs': TRAIN });
  return repo;
}

describe('reproducing a run', () => {
  it('re-runs a deterministic run from its commit as a new tagged run and finds every metric equal', async () => {
    const repo = projectRepo();
    const original = await runProject({ uri: repo, repo, parameters: { lr: 0.4 }, experimentName: 'exp', runName: 'base', ...quiet() });
    commitFiles(repo, { 'train.mjs': trainScript("logMetric('loss', 99);") }); // HEAD moves on; the run's commit does not
    const r = await reproduce({ runId: original.runId, repo, ...quiet() });
    expect(r.ok).toBe(true);
    expect(r.metrics).toEqual([{ key: 'loss', original: 0.05, reproduced: 0.05, difference: 0, relativeDifference: 0, ok: true }]);
    const run = openClient(repo).getRun(r.run.runId);
    expect(run.info.experiment_id).toBe(original.experimentId);
    expect(run.info.run_name).toBe('base-reproduced');
    expect(tagOf(run, 'git-ml.reproduces')).toBe(original.runId);
    expect(tagOf(run, 'mlflow.source.git.commit')).toBe(original.commit);
    expect(Object.fromEntries(run.data.params.map((p) => [p.key, p.value]))).toEqual({ lr: '0.4', counter: '' });
    expect(formatMetricComparison(r.metrics)).toBe('metric  original  reproduced  difference\nloss    0.05      0.05        0           ok\n');
  });

  it('reports a metric that changed, and accepts it within a relative tolerance', async () => {
    const repo = projectRepo();
    const counter = join(tempDir('gitml-counter-'), 'n');
    const original = await runProject({ uri: repo, repo, parameters: { counter }, ...quiet() });
    const r = await reproduce({ runId: original.runId, repo, ...quiet() });
    expect(r.ok).toBe(false);
    expect(r.metrics.find((m) => m.key === 'runs_so_far')).toEqual({ key: 'runs_so_far', original: 1, reproduced: 2, difference: 1, relativeDifference: 0.5, ok: false });
    expect(r.metrics.find((m) => m.key === 'loss')?.ok).toBe(true);
    expect(formatMetricComparison(r.metrics)).toContain('runs_so_far  1         2           1           differs (50.0%)');
    writeFileSync(counter, '0');
    expect((await reproduce({ runId: original.runId, repo, tolerance: 0.5, ...quiet() })).ok).toBe(true);
  });

  it('reproduces from the snapshot of a dirty working tree, not from HEAD', async () => {
    const repo = projectRepo();
    writeFiles(repo, { 'train.mjs': trainScript("logMetric('dirty', 1);") });
    const original = await runProject({ uri: repo, repo, ...quiet() });
    git(repo, 'checkout', '--', 'train.mjs');
    const r = await reproduce({ runId: original.runId, repo, ...quiet() });
    expect(r.metrics.map((m) => [m.key, m.reproduced])).toEqual([['dirty', 1]]);
    expect(r.ok).toBe(true);
  });

  it('says which untracked files the original snapshot left out, and how each compares with the work tree now', async () => {
    const repo = projectRepo();
    git(repo, 'config', 'ml.snapshotMaxTotalSize', '1k');
    mkdirSync(join(repo, 'data'));
    writeFileSync(join(repo, 'data/big.bin'), Buffer.alloc(2 * 1024 * 1024, 1));
    writeFileSync(join(repo, 'a.txt'), 'a'.repeat(600));
    writeFileSync(join(repo, 'c.txt'), 'c'.repeat(600));
    const original = await runProject({ uri: repo, repo, ...quiet() });
    writeFileSync(join(repo, 'c.txt'), 'C'.repeat(600));
    const q = quiet();
    const r = await reproduce({ runId: original.runId, repo, ...q });
    expect(r.ok).toBe(true);
    expect(q.sink.stderr).toContain(
      `git-ml: warning: run ${original.runId}'s source snapshot left out 2 untracked files, so the reproduction runs without them: ` +
        'c.txt (600 B; different content here), data/big.bin (2.0 MiB; same size in your work tree). Pass data as parameters (paths), or commit the files the code needs.\n',
    );
    const run = openClient(repo).getRun(r.run.runId);
    expect(JSON.parse(tagOf(run, 'git-ml.source.omitted')!).files.map((f: { path: string }) => f.path)).toEqual(['c.txt', 'data/big.bin']);
  });

  it('reproduces a run logged by a script that recorded its entry point', async () => {
    const repo = makeRepo();
    commitFiles(repo, { 'fit.mjs': trainScript("setTag('mlflow.project.entryPoint', 'fit.mjs'); logMetric('score', 0.75);").replace('startRun();', 'const run = startRun(); console.log("RUN " + run.runId);') });
    const child = startNode(join(repo, 'fit.mjs'), [], repo, { GIT_ML_REPO: repo });
    const done = await child.done;
    expect(done.code, done.err).toBe(0);
    const runId = /RUN (\w+)/.exec(done.out)![1];
    const r = await reproduce({ runId, repo, ...quiet() });
    expect([r.ok, r.run.status, r.metrics.map((m) => m.key)]).toEqual([true, 'FINISHED', ['score']]);
  });

  it('finds the code of a project from another local repository through git-ml.source.repoPath', async () => {
    const code = projectRepo();
    const head = git(code, 'rev-parse', 'HEAD');
    const tracking = makeRepo();
    const original = await runProject({ uri: code, repo: tracking, parameters: { lr: 0.8 }, ...quiet() });
    const run = openClient(tracking).getRun(original.runId);
    expect([tagOf(run, 'mlflow.source.git.commit'), tagOf(run, 'git-ml.source.repoPath'), tagOf(run, 'git-ml.source.dirty')]).toEqual([head, code, 'false']);
    const r = await reproduce({ runId: original.runId, repo: tracking, ...quiet() });
    expect([r.ok, r.metrics.map((m) => m.reproduced)]).toEqual([true, [0.1]]);
  });

  it('fails a reproduction whose command fails, and explains runs it cannot reproduce', async () => {
    const repo = makeRepo();
    commitFiles(repo, { 'fit.mjs': trainScript("logMetric('score', 1); if (process.env.GIT_ML_TEST_BREAK) process.exit(2);") });
    const ok = await runProject({ uri: repo, repo, entryPoint: 'fit.mjs', ...quiet() });
    const failed = await reproduce({ runId: ok.runId, repo, ...quiet(), env: { GIT_ML_TEST_BREAK: '1' } });
    expect([failed.ok, failed.run.status, failed.run.exitCode]).toEqual([false, 'FAILED', 2]);

    const c = openClient(repo);
    const bare = c.createRun('0').info.run_id;
    c.flush();
    const e = await rejection(reproduce({ runId: bare, client: c, ...quiet() }));
    expect(e.code).toBe('NOT_REPRODUCIBLE');
    expect(e.message).toBe(`Run ${bare} did not record its entry point (tag mlflow.project.entryPoint). Runs made by \`git-ml run\` do; a script can record it with setTag('mlflow.project.entryPoint', 'train.py').`);
    const noSource = c.createRun('0', { recordSource: false, tags: { 'mlflow.project.entryPoint': 'fit.mjs' } }).info.run_id;
    expect((await rejection(reproduce({ runId: noSource, client: c, ...quiet() }))).message).toMatch(/has no source commit \(tag mlflow\.source\.git\.commit\)/);
  });
});

describe('comparing metrics', () => {
  it('treats NaN as equal to NaN, a metric only one run has as a mismatch, and applies the tolerance relative to the larger value', () => {
    const rows = compareMetrics({ a: NaN, b: 1, c: 100, d: Infinity }, { a: NaN, c: 101, d: Infinity, e: 3 }, 0.01);
    expect(rows.map((r) => [r.key, r.ok])).toEqual([['a', true], ['b', false], ['c', true], ['d', true], ['e', false]]);
    expect(compareMetrics({ c: 100 }, { c: 101 })[0].ok).toBe(false);
    expect(formatMetricComparison(rows)).toContain('b       1         —           —           missing');
  });
});
