/**
 * "A value whose logging call returned is durable, even if the process is killed right after."
 * A real child process logs metrics and reports each returned call on stdout; the test SIGKILLs it
 * at a random moment (before any fold, between folds, in the middle of one) and then checks, after
 * reopening, that every reported point is in the history exactly once, that the run was ended as
 * KILLED, and that real git finds the repository sound.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { closeClients, fsckStrict, git, journalFiles, makeRepo, metricLinesViaGit, openClient, refLockFiles, removeTempDirs, runRefs, startNode, tempDir, writeWorker } from '@git-ml/test-support';

afterEach(closeClients);
afterAll(removeTempDirs);

const N = 3000;

function worker(dir: string): string {
  return writeWorker(
    dir,
    'logger.mjs',
    `
const [repo, n] = arg;
const c = new MlClient({ repo });
const run = c.createRun('0', { recordSource: false, runName: 'victim' }).info.run_id;
say('run ' + run);
for (let i = 0; i < Number(n); i++) {
  c.logMetric(run, 'm', i, { step: i, timestamp: 1000 + i });
  if (i % 50 === 0) c.logBatch(run, { metrics: [{ key: 'b', value: -i, step: i, timestamp: 1000 + i }], params: { ['p' + i]: i } });
  say('logged ' + i);
  if (i % 25 === 24) await tick(); // let the batched fold run between calls
}
say('finished');
setInterval(() => {}, 1000); // wait to be killed
`,
  );
}

type Moment = { label: string; afterLine?: number; afterMs?: number };

const rand = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo + 1));

const MOMENTS: Moment[] = [
  { label: 'right after the first call returned (nothing folded yet)', afterLine: 0 },
  { label: 'early, between the first folds', afterLine: rand(20, 150) },
  { label: 'at a random time', afterMs: rand(10, 250) },
  { label: 'late, with a long folded history', afterLine: rand(600, 2500) },
];

describe('kill -9 while logging', () => {
  it.each(MOMENTS)('keeps every reported point and ends the run KILLED when killed $label', async (moment) => {
    const repo = makeRepo();
    const script = worker(tempDir('gitml-worker-'));
    const child = startNode(script, [repo, String(N)], repo);
    const run = (await child.waitFor(/^run ([0-9a-f]{32})$/m))[1];
    if (moment.afterLine !== undefined) await child.waitFor(new RegExp(`^logged ${moment.afterLine}$`, 'm'));
    else await new Promise((r) => setTimeout(r, moment.afterMs));
    child.kill('SIGKILL');
    const result = await child.done;
    expect(result.signal, `child was not killed (it printed ${result.out.slice(-40)}) stderr: ${result.err}`).toBe('SIGKILL');

    const reported = [...result.out.matchAll(/^logged (\d+)$/gm)].map((m) => Number(m[1]));
    const K = reported.length - 1;
    expect(reported).toEqual(Array.from({ length: reported.length }, (_, i) => i));
    const locks = refLockFiles(repo);
    const context = `killed ${moment.label} after ${reported.length} reported calls; lock files left: ${JSON.stringify(locks)}`;

    // reopening recovers what the dead process left behind
    const opened = Date.now();
    const c = openClient(repo);
    const openMs = Date.now() - opened;
    const history = c.getMetricHistory(run, 'm');
    const steps = history.map((p) => p.step);
    // a contiguous prefix: every reported point, at most one returned-but-unreported point more, no duplicates
    expect(steps.length, context).toBeGreaterThanOrEqual(K + 1);
    expect(steps.length, context).toBeLessThanOrEqual(K + 2);
    expect(steps, context).toEqual(Array.from({ length: steps.length }, (_, i) => i));
    for (const p of history) expect(p.value).toBe(p.step);
    for (const p of history) expect(p.timestamp).toBe(1000 + p.step);

    const batchSteps = c.getMetricHistory(run, 'b').map((p) => p.step);
    const wantBatches = Array.from({ length: Math.floor(K / 50) + 1 }, (_, i) => i * 50);
    expect(batchSteps.slice(0, wantBatches.length), context).toEqual(wantBatches);
    expect(new Set(batchSteps).size).toBe(batchSteps.length);
    const params = new Map(c.getRun(run).data.params.map((p) => [p.key, p.value]));
    for (const s of wantBatches) expect(params.get(`p${s}`), context).toBe(String(s));

    const info = c.getRun(run).info;
    expect(info.status, context).toBe('KILLED');
    expect(info.end_time).not.toBeNull();
    expect(openMs, `${context}: recovery took ${openMs} ms`).toBeLessThan(5000);
    expect(refLockFiles(repo), context).toEqual([]);

    // it is all in git now, not only in the journal
    const ref = `refs/ml/runs/0/${run}`;
    expect(runRefs(repo).has(ref), context).toBe(true);
    expect(metricLinesViaGit(repo, ref, 'm').length).toBe(steps.length);
    expect(git(repo, 'show', `${ref}:run.yaml`)).toContain('status: "KILLED"');
    expect(journalFiles(repo), context).toEqual([]);
    fsckStrict(repo);
    c.close();

    // opening again folds nothing twice
    const again = openClient(repo);
    expect(again.getMetricHistory(run, 'm').map((p) => p.step)).toEqual(steps);
    expect(again.getRun(run).info.status).toBe('KILLED');
  }, 30_000);

  it('recovers a run whose process was killed in the middle of a fold (holding the run ref\'s .lock)', async () => {
    const repo = makeRepo();
    const script = writeWorker(
      tempDir('gitml-worker-'),
      'midfold.mjs',
      `
const [repo] = arg;
const c = new MlClient({ repo });
const run = c.createRun('0', { recordSource: false }).info.run_id;
say('run ' + run);
c.flush();
for (let i = 0; i < 40000; i++) c.logMetric(run, 'm', i, { step: i, timestamp: 1000 + i });
say('logged all');
const until = Date.now() + 150; while (Date.now() < until); // give the parent time to watch the lock
await tick(); // the batched fold of 40000 points runs now
say('folded');
setInterval(() => {}, 1000);
`,
    );
    const child = startNode(script, [repo], repo);
    const run = (await child.waitFor(/^run ([0-9a-f]{32})$/m))[1];
    const lock = join(repo, '.git', 'refs', 'ml', 'runs', '0', `${run}.lock`);
    await child.waitFor(/^logged all$/m);
    const deadline = Date.now() + 5000;
    while (!existsSync(lock) && Date.now() < deadline); // busy-wait: catch the fold while it holds the lock
    process.kill(child.pid, 'SIGKILL');
    const result = await child.done;
    expect(result.signal).toBe('SIGKILL');
    expect(result.out).not.toContain('folded');
    expect(existsSync(lock), 'precondition: the child died holding the ref lock').toBe(true);

    const opened = Date.now();
    const c = openClient(repo);
    const openMs = Date.now() - opened;
    const steps = c.getMetricHistory(run, 'm').map((p) => p.step);
    expect(steps).toEqual(Array.from({ length: 40000 }, (_, i) => i));
    expect(c.getRun(run).info.status).toBe('KILLED');
    expect(openMs, `recovery took ${openMs} ms`).toBeLessThan(5000);
    expect(refLockFiles(repo)).toEqual([]);
    expect(journalFiles(repo)).toEqual([]);
    fsckStrict(repo);
  }, 30_000);

  it('ends the run KILLED when its process dies after more than 1 MB of journal was folded', async () => {
    const repo = makeRepo();
    const script = writeWorker(
      tempDir('gitml-worker-'),
      'big-journal.mjs',
      `
const [repo] = arg;
const c = new MlClient({ repo });
const run = c.createRun('0', { recordSource: false }).info.run_id;
say('run ' + run);
for (let i = 0; i < 25000; i++) c.logMetric(run, 'a_rather_long_metric_name_to_fill_the_journal', i, { step: i, timestamp: 1000 + i });
c.flush();
say('folded');
await tick();
c.logParam(run, 'after', 'fold');
say('logged');
setInterval(() => {}, 1000);
`,
    );
    const child = startNode(script, [repo], repo);
    const run = (await child.waitFor(/^run ([0-9a-f]{32})$/m))[1];
    await child.waitFor(/^logged$/m);
    await new Promise((r) => setTimeout(r, 100)); // let its background fold of the param finish
    child.kill('SIGKILL');
    expect((await child.done).signal).toBe('SIGKILL');
    const c = openClient(repo);
    const r = c.getRun(run);
    expect(r.info.status).toBe('KILLED');
    expect(r.data.params).toEqual([{ key: 'after', value: 'fold' }]);
    expect(c.getMetricHistory(run, 'a_rather_long_metric_name_to_fill_the_journal').length).toBe(25000);
    expect(journalFiles(repo)).toEqual([]);
    fsckStrict(repo);
  }, 30_000);

  it('a background fold that fails does not crash the logging process, and what it logged stays durable', async () => {
    const repo = makeRepo();
    const dir = tempDir('gitml-worker-');
    const go = join(dir, 'go');
    const script = writeWorker(
      dir,
      'survivor.mjs',
      `
import { existsSync, writeFileSync } from 'node:fs';
const [repo, go] = arg;
const c = new MlClient({ repo });
const run = c.createRun('0', { recordSource: false }).info.run_id;
c.logMetric(run, 'm', 1, { step: 1, timestamp: 1 });
c.flush();
say('run ' + run);
while (!existsSync(go)) await new Promise((r) => setTimeout(r, 10));
c.logMetric(run, 'm', 2, { step: 2, timestamp: 2 }); // durable when it returns; its fold will fail
say('logged');
for (let i = 0; i < 5; i++) await tick();
await new Promise((r) => setTimeout(r, 50));
say('survived');
`,
    );
    const child = startNode(script, [repo, go], repo);
    const run = (await child.waitFor(/^run ([0-9a-f]{32})$/m))[1];
    // someone breaks the run record on the ref (a bad hand edit), so folding it fails
    const ref = `refs/ml/runs/0/${run}`;
    const good = git(repo, 'rev-parse', ref);
    const blob = git(repo, 'hash-object', '-w', '--stdin');
    const entries = git(repo, 'ls-tree', good).replace(/blob [0-9a-f]{40}(\trun\.yaml)/, `blob ${blob}$1`);
    const { gitBuf } = await import('@git-ml/test-support');
    const tree = gitBuf(repo, ['mktree'], `${entries}\n`).toString().trim();
    git(repo, 'update-ref', ref, git(repo, 'commit-tree', tree, '-p', good, '-m', 'broken'), good);
    writeFileSync(go, '');
    const result = await child.done;
    expect(result.out).toContain('logged');
    expect(result.out, `stderr: ${result.err}`).toContain('survived');
    expect(result.code).toBe(0);
    // once the record is repaired, the point logged while folding failed is there
    git(repo, 'update-ref', ref, good);
    const c = openClient(repo);
    expect(c.getMetricHistory(run, 'm').map((p) => p.step)).toEqual([1, 2]);
  }, 30_000);
});

