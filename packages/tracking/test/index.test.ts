/**
 * The run index under `.git/ml/index` is derived: delete or garble it and searches return the same
 * runs; and it never hides what other processes wrote — an already-open client sees their runs in
 * its next search.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { MlClient, Run } from '@git-ml/tracking';
import { closeClients, makeRepo, openClient, removeTempDirs, sleep, startNode, tempDir, writeWorker } from '@git-ml/test-support';

afterEach(closeClients);
afterAll(removeTempDirs);

/** A comparable digest of a search result (order included). */
function digest(runs: Run[]) {
  return runs.map((r) => ({
    id: r.info.run_id,
    status: r.info.status,
    name: r.info.run_name,
    params: [...r.data.params].sort((a, b) => a.key.localeCompare(b.key)),
    tags: [...r.data.tags].sort((a, b) => a.key.localeCompare(b.key)),
    metrics: [...r.data.metrics].sort((a, b) => a.key.localeCompare(b.key)),
  }));
}

function seed(c: MlClient, n: number): { exp: string; ids: string[] } {
  const exp = c.createExperiment('indexed');
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = c.createRun(exp, { recordSource: false, startTime: 10_000 + i, runName: `r${i}` }).info.run_id;
    c.logParam(id, 'i', i);
    c.logMetric(id, 'score', i * 1.5, { step: i });
    c.setTag(id, 'parity', i % 2 ? 'odd' : 'even');
    if (i % 3 === 0) c.setTerminated(id);
    ids.push(id);
  }
  return { exp, ids };
}

const QUERIES: [string, string[]][] = [
  ['', []],
  ["tags.parity = 'odd' OR metrics.score > 7", ['metrics.score DESC']],
  ["attributes.status = 'FINISHED'", ['params.i ASC']],
];

describe('the derived index', () => {
  it('gives the same search results after .git/ml/index is deleted, garbled, or all of .git/ml is removed', () => {
    const repo = makeRepo();
    const c0 = openClient(repo);
    const { exp } = seed(c0, 8);
    c0.close();
    const indexDir = join(repo, '.git', 'ml', 'index');

    const c = openClient(repo);
    const before = QUERIES.map(([f, o]) => digest(c.searchRuns(exp, f, { orderBy: o }).runs));
    expect(before[0].length).toBe(8);
    expect(before[1].length).toBeGreaterThan(0);
    expect(before[1].length).toBeLessThan(8);
    c.close();
    expect(existsSync(indexDir)).toBe(true);

    // deleted between two searches of the same client
    rmSync(indexDir, { recursive: true, force: true });
    expect(QUERIES.map(([f, o]) => digest(c.searchRuns(exp, f, { orderBy: o }).runs))).toEqual(before);

    // deleted, then a fresh client rebuilds it from the refs (and saves it again on close)
    rmSync(indexDir, { recursive: true, force: true });
    const c2 = openClient(repo);
    expect(QUERIES.map(([f, o]) => digest(c2.searchRuns(exp, f, { orderBy: o }).runs))).toEqual(before);
    c2.close();
    expect(existsSync(indexDir)).toBe(true);

    // garbled
    rmSync(indexDir, { recursive: true, force: true });
    mkdirSync(indexDir);
    writeFileSync(join(indexDir, 'runs.json'), '{"version":1,"entries":[["refs/ml/runs/x/y","0000",{"info":{}}]');
    expect(QUERIES.map(([f, o]) => digest(openClient(repo).searchRuns(exp, f, { orderBy: o }).runs))).toEqual(before);

    // all of git-ml's local state gone: git still has everything
    closeClients();
    rmSync(join(repo, '.git', 'ml'), { recursive: true, force: true });
    expect(QUERIES.map(([f, o]) => digest(openClient(repo).searchRuns(exp, f, { orderBy: o }).runs))).toEqual(before);
  });

  it('does not serve a stale saved index: changes made while no client was open show up', () => {
    const repo = makeRepo();
    const c0 = openClient(repo);
    const { exp, ids } = seed(c0, 4);
    c0.searchRuns(exp);
    c0.close(); // index saved
    const c1 = openClient(repo);
    c1.logMetric(ids[1], 'score', 99, { step: 100 });
    c1.setTag(ids[1], 'parity', 'changed');
    c1.deleteRun(ids[2]);
    c1.close();
    const runs = openClient(repo).searchRuns(exp).runs;
    expect(runs.map((r) => r.info.run_id).sort()).toEqual([ids[0], ids[1], ids[3]].sort());
    const r1 = runs.find((r) => r.info.run_id === ids[1])!;
    expect(r1.data.metrics).toContainEqual(expect.objectContaining({ key: 'score', value: 99, step: 100 }));
    expect(r1.data.tags).toContainEqual({ key: 'parity', value: 'changed' });
  });

  it('shows runs another process creates or changes in the next searchRuns of an already-open client', async () => {
    const repo = makeRepo();
    const c = openClient(repo);
    const { exp, ids } = seed(c, 3);
    c.flush();
    expect(c.searchRuns(exp).runs.length).toBe(3);

    const dir = tempDir('gitml-worker-');
    const creator = writeWorker(
      dir,
      'create-one.mjs',
      `
const [repo, exp] = arg;
const c = new MlClient({ repo });
const run = c.createRun(exp, { recordSource: false, runName: 'from-elsewhere' }).info.run_id;
c.logParam(run, 'who', 'other process');
c.logMetric(run, 'score', 1234, { step: 0 });
c.setTerminated(run);
say('run ' + run);
`,
    );
    const updater = writeWorker(
      dir,
      'update-one.mjs',
      `
const [repo, run] = arg;
const c = new MlClient({ repo });
c.logMetric(run, 'score', -5, { step: 1000 });
c.setTag(run, 'touched', 'yes');
say('ok');
`,
    );

    // 1: a new run, right after the open client's last search
    const first = await startNode(creator, [repo, exp], repo).done;
    expect(first.code, first.err).toBe(0);
    const newId = /^run ([0-9a-f]{32})$/m.exec(first.out)![1];
    let runs = c.searchRuns(exp).runs;
    expect(runs.map((r) => r.info.run_id)).toContain(newId);
    const created = runs.find((r) => r.info.run_id === newId)!;
    expect(created.info.status).toBe('FINISHED');
    expect(created.data.params).toEqual([{ key: 'who', value: 'other process' }]);
    expect(created.data.metrics).toContainEqual(expect.objectContaining({ key: 'score', value: 1234 }));

    // 2: after the refs have been quiet for a while (the index trusts its cached view), another
    //    process changes an existing run and creates one more
    await sleep(2600);
    expect(c.searchRuns(exp).runs.length).toBe(4);
    await sleep(200);
    const second = await startNode(updater, [repo, ids[0]], repo).done;
    expect(second.code, second.err).toBe(0);
    runs = c.searchRuns(exp).runs;
    const changed = runs.find((r) => r.info.run_id === ids[0])!;
    expect(changed.data.metrics).toContainEqual(expect.objectContaining({ key: 'score', value: -5, step: 1000 }));
    expect(changed.data.tags).toContainEqual({ key: 'touched', value: 'yes' });
    expect(c.searchRuns(exp, "tags.touched = 'yes'").runs.map((r) => r.info.run_id)).toEqual([ids[0]]);

    const third = await startNode(creator, [repo, exp], repo).done;
    expect(third.code, third.err).toBe(0);
    const thirdId = /^run ([0-9a-f]{32})$/m.exec(third.out)![1];
    expect(c.searchRuns(exp).runs.map((r) => r.info.run_id)).toContain(thirdId);
    expect(c.searchRuns(exp).runs.length).toBe(5);
    // and getRun agrees with search
    expect(c.getRun(ids[0]).data.tags).toContainEqual({ key: 'touched', value: 'yes' });
  }, 30_000);
});
