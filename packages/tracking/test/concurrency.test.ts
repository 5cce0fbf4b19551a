/**
 * "Two processes, two clones, two people never overwrite each other's data" — and git-ml and the
 * user's own git never get in each other's way. Real OS processes log at the same time while the
 * test runs the user's git (commits, pack-refs, gc) on the same repository.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Run } from '@git-ml/tracking';
import { closeClients, fsckStrict, git, gitAsync, journalFiles, makeRepo, metricLinesViaGit, openClient, refLockFiles, removeTempDirs, runRefs, startNode, tempDir, writeWorker } from '@git-ml/test-support';

afterEach(closeClients);
afterAll(removeTempDirs);

const WORKERS = 4;
const RUNS_EACH = 50;

function loggerScript(dir: string): string {
  return writeWorker(
    dir,
    'many-runs.mjs',
    `
const [repo, exp, w, n] = arg;
const c = new MlClient({ repo });
for (let i = 0; i < Number(n); i++) {
  const run = c.createRun(exp, { runName: 'w' + w + '-r' + i, tags: { worker: w } }).info.run_id;
  c.logParam(run, 'worker', w);
  c.logParam(run, 'i', i);
  for (let s = 0; s < 5; s++) c.logMetric(run, 'loss', Number(w) * 1000 + i + s / 10, { step: s, timestamp: 1000 + s });
  c.logBatch(run, { metrics: [{ key: 'acc', value: i / 100, step: 0, timestamp: 7 }], params: { lr: '0.1' }, tags: { batch: 'yes' } });
  c.setTag(run, 'idx', w + ':' + i);
  if (i % 2 === 0) c.setTerminated(run, 'FINISHED');
  say('run ' + run + ' ' + w + ' ' + i);
  await tick();
}
say('done');
`,
  );
}

describe('concurrent processes', () => {
  it('4 processes × 50 runs while the user commits, packs refs and gcs: every run and value is there, fsck passes, no user commit is lost', async () => {
    const repo = makeRepo();
    const setup = openClient(repo);
    const exp = setup.createExperiment('parallel');
    setup.close();
    const base = Number(git(repo, 'rev-list', '--count', 'main'));

    const script = loggerScript(tempDir('gitml-worker-'));
    const children = Array.from({ length: WORKERS }, (_, w) => startNode(script, [repo, exp, String(w), String(RUNS_EACH)], repo));
    let finished = false;
    const all = Promise.all(children.map((c) => c.done)).then((r) => {
      finished = true;
      return r;
    });

    // the user's own git, in a loop, on the same repository
    let commits = 0;
    const failures: string[] = [];
    const run = async (...args: string[]) => {
      const r = await gitAsync(repo, ...args);
      if (!r.ok) failures.push(`git ${args.join(' ')}: ${r.err.trim()}`);
      return r.ok;
    };
    for (let n = 1; !finished; n++) {
      if (await run('commit', '-q', '--allow-empty', '-m', `user commit ${n}`)) commits++;
      if (n % 3 === 0) await run('pack-refs', '--all');
      if (n % 4 === 0) await run('-c', 'gc.auto=1', '-c', 'gc.autoDetach=false', 'gc', '--auto', '--quiet');
      if (n % 9 === 0) await run('gc', '--quiet');
    }
    const results = await all;
    for (const r of results) expect(r.code, r.err).toBe(0);
    expect(commits).toBeGreaterThan(3); // the user's git really ran alongside
    // one more round after everyone is done: git packs it all
    await run('gc', '--quiet');
    await run('pack-refs', '--all');

    expect(failures, 'the user\'s git failed while git-ml was working').toEqual([]);
    expect(Number(git(repo, 'rev-list', '--count', 'main'))).toBe(base + commits);
    expect(git(repo, 'log', '-1', '--format=%s', 'main')).toBe(`user commit ${commits}`);

    // every run each worker reported, with all of its values
    const reported = new Map<string, { w: number; i: number }>();
    for (const r of results) for (const m of r.out.matchAll(/^run ([0-9a-f]{32}) (\d+) (\d+)$/gm)) reported.set(m[1], { w: Number(m[2]), i: Number(m[3]) });
    expect(reported.size).toBe(WORKERS * RUNS_EACH);
    expect(runRefs(repo).size).toBe(WORKERS * RUNS_EACH);
    expect(journalFiles(repo)).toEqual([]); // everything was folded into commits
    expect(refLockFiles(repo)).toEqual([]);

    const c = openClient(repo);
    const found: Run[] = c.searchRuns(exp, '', { maxResults: 1000 }).runs;
    expect(found.length).toBe(WORKERS * RUNS_EACH);
    expect(new Set(found.map((r) => r.info.run_id))).toEqual(new Set(reported.keys()));
    for (const r of found) {
      const { w, i } = reported.get(r.info.run_id)!;
      const params = Object.fromEntries(r.data.params.map((p) => [p.key, p.value]));
      const tags = Object.fromEntries(r.data.tags.map((t) => [t.key, t.value]));
      const metrics = Object.fromEntries(r.data.metrics.map((m) => [m.key, m]));
      expect(params).toEqual({ worker: String(w), i: String(i), lr: '0.1' });
      expect(tags).toMatchObject({ worker: String(w), batch: 'yes', idx: `${w}:${i}`, 'mlflow.runName': `w${w}-r${i}` });
      expect(metrics.loss).toMatchObject({ step: 4, value: w * 1000 + i + 0.4 });
      expect(metrics.acc).toMatchObject({ step: 0, value: i / 100 });
      expect(r.info.status).toBe(i % 2 === 0 ? 'FINISHED' : 'RUNNING');
      const history = c.getMetricHistory(r.info.run_id, 'loss');
      expect(history.map((p) => p.step)).toEqual([0, 1, 2, 3, 4]);
      expect(history.map((p) => p.value)).toEqual([0, 1, 2, 3, 4].map((s) => w * 1000 + i + s / 10));
    }
    // search agrees with the stored values
    expect(c.searchRuns(exp, "params.worker = '2' AND metrics.acc < 0.1", { maxResults: 1000 }).runs.length).toBe(10);
    fsckStrict(repo);
  }, 90_000);

  it('two processes logging to the SAME run (one creates it, the other attaches by id): every point of both is there once', async () => {
    const repo = makeRepo();
    const dir = tempDir('gitml-worker-');
    const POINTS = 400;
    const creator = writeWorker(
      dir,
      'creator.mjs',
      `
const [repo, n] = arg;
const c = new MlClient({ repo });
const run = c.createRun('0', { recordSource: false }).info.run_id;
say('run ' + run);
for (let i = 0; i < Number(n); i++) {
  c.logMetric(run, 'shared', i, { step: i, timestamp: 1 });
  c.logMetric(run, 'a', i, { step: i, timestamp: 1 });
  if (i % 10 === 0) c.logParam(run, 'a' + i, i);
  if (i % 7 === 0) await tick();
}
say('done');
`,
    );
    const attacher = writeWorker(
      dir,
      'attacher.mjs',
      `
const [repo, run, n] = arg;
const c = new MlClient({ repo });
for (let i = 0; i < Number(n); i++) {
  c.logMetric(run, 'shared', 100000 + i, { step: i, timestamp: 2 });
  c.logMetric(run, 'b', i, { step: i, timestamp: 2 });
  if (i % 10 === 0) c.setTag(run, 'b' + i, String(i));
  if (i % 5 === 0) await tick();
}
say('done');
`,
    );
    const a = startNode(creator, [repo, String(POINTS)], repo);
    const run = (await a.waitFor(/^run ([0-9a-f]{32})$/m))[1];
    const b = startNode(attacher, [repo, run, String(POINTS)], repo);
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect(ra.code, ra.err).toBe(0);
    expect(rb.code, rb.err).toBe(0);

    const c = openClient(repo);
    const shared = c.getMetricHistory(run, 'shared');
    const fromA = shared.filter((p) => p.timestamp === 1).map((p) => p.value);
    const fromB = shared.filter((p) => p.timestamp === 2).map((p) => p.value);
    expect(shared.length).toBe(2 * POINTS);
    expect(fromA).toEqual(Array.from({ length: POINTS }, (_, i) => i)); // each writer's points in its own order
    expect(fromB).toEqual(Array.from({ length: POINTS }, (_, i) => 100000 + i));
    expect(c.getMetricHistory(run, 'a').length).toBe(POINTS);
    expect(c.getMetricHistory(run, 'b').length).toBe(POINTS);
    const r = c.getRun(run);
    expect(r.data.params.length).toBe(POINTS / 10);
    expect(r.data.tags.filter((t) => /^b\d+$/.test(t.key)).length).toBe(POINTS / 10);
    // all of it is committed on the ref (no journal left), and the history really is in git
    expect(journalFiles(repo)).toEqual([]);
    expect(metricLinesViaGit(repo, `refs/ml/runs/0/${run}`, 'shared').length).toBe(2 * POINTS);
    fsckStrict(repo);
  }, 60_000);

  it('bursts of 100 new runs per process (created in one go) while the user packs refs in a loop: every run exists with its values', async () => {
    const repo = makeRepo();
    const script = writeWorker(
      tempDir('gitml-worker-'),
      'burst.mjs',
      `
const [repo, w, n] = arg;
const c = new MlClient({ repo });
const ids = [];
for (let i = 0; i < Number(n); i++) {
  const run = c.createRun('0', { recordSource: false, runName: 'b' + w + '-' + i }).info.run_id;
  c.logParam(run, 'w', w);
  c.logMetric(run, 'i', i, { step: 0, timestamp: 1 });
  ids.push(run);
}
c.flush(); // one fold of all of them
for (const id of ids) c.setTerminated(id);
c.close();
for (const id of ids) say('run ' + id);
`,
    );
    const children = [0, 1].map((w) => startNode(script, [repo, String(w), '100'], repo));
    let finished = false;
    const all = Promise.all(children.map((c) => c.done)).then((r) => {
      finished = true;
      return r;
    });
    const failures: string[] = [];
    let commits = 0;
    for (let n = 1; !finished; n++) {
      const p = await gitAsync(repo, 'pack-refs', '--all');
      if (!p.ok) failures.push(p.err);
      const cm = await gitAsync(repo, 'commit', '-q', '--allow-empty', '-m', `c${n}`);
      if (cm.ok) commits++;
      else failures.push(cm.err);
    }
    const results = await all;
    for (const r of results) expect(r.code, r.err).toBe(0);
    expect(failures).toEqual([]);
    const reported = results.flatMap((r) => [...r.out.matchAll(/^run ([0-9a-f]{32})$/gm)].map((m) => m[1]));
    expect(reported.length).toBe(200);
    expect(runRefs(repo).size).toBe(200);
    const c = openClient(repo);
    const runs = c.searchRuns('0', '', { maxResults: 1000 }).runs;
    expect(new Set(runs.map((r) => r.info.run_id))).toEqual(new Set(reported));
    for (const r of runs) {
      expect(r.info.status).toBe('FINISHED');
      const [, w, i] = /^b(\d)-(\d+)$/.exec(r.info.run_name)!;
      expect(r.data.params).toEqual([{ key: 'w', value: w }]);
      expect(r.data.metrics).toEqual([{ key: 'i', value: Number(i), step: 0, timestamp: 1 }]);
    }
    expect(Number(git(repo, 'rev-list', '--count', 'main'))).toBe(1 + commits);
    fsckStrict(repo);
  }, 60_000);
});

