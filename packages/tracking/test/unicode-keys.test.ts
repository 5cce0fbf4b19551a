/**
 * Keys with letters and digits of any script, as MLflow accepts them (`^[/\w.\- ]*$` with Python's
 * Unicode `\w`): a metric, a param and a tag round-trip through commits, a fresh client, search and
 * the real git binary; what Python's `\w` refuses (combining marks, emoji, punctuation) is refused.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { caught, closeClients, fsckStrict, git, gitBuf, makeRepo, metricLinesViaGit, openClient, removeTempDirs } from '@git-ml/test-support';

afterEach(closeClients);
afterAll(removeTempDirs);

const METRIC = 'précision';
const NESTED_METRIC = 'évaluation/精度';
const PARAM = 'ρυθμός μάθησης';
const TAG = 'équipe:注释_٣';

describe('unicode keys', () => {
  it('round-trips a unicode metric, param and tag through commits, a fresh client, search and C git', () => {
    const repo = makeRepo();
    const c = openClient(repo);
    const run = c.createRun('0', { recordSource: false }).info.run_id;
    c.logMetric(run, METRIC, 0.25, { step: 1, timestamp: 1000 });
    c.logMetric(run, METRIC, 0.75, { step: 2, timestamp: 2000 });
    c.logBatch(run, { metrics: [{ key: NESTED_METRIC, value: 3, step: 0, timestamp: 5 }], params: { [PARAM]: '0.01' }, tags: { [TAG]: 'vision' } });
    c.close();

    const fresh = openClient(repo);
    const r = fresh.getRun(run);
    expect(r.data.params).toEqual([{ key: PARAM, value: '0.01' }]);
    expect(r.data.tags).toContainEqual({ key: TAG, value: 'vision' });
    expect(r.data.metrics.map((m) => [m.key, m.value]).sort()).toEqual([[METRIC, 0.75], [NESTED_METRIC, 3]].sort());
    expect(fresh.getMetricHistory(run, METRIC).map((m) => [m.step, m.value])).toEqual([[1, 0.25], [2, 0.75]]);
    const found = (filter: string) => fresh.searchRuns(['0'], filter).runs.map((x) => x.info.run_id);
    expect(found(`metrics.${METRIC} > 0.5`)).toEqual([run]);
    expect(found(`params.\`${PARAM}\` = '0.01'`)).toEqual([run]);
    expect(found(`tags.\`${TAG}\` = 'vision'`)).toEqual([run]);

    // C git reads the same facts: UTF-8 tree entry names, one metric file per key
    const ref = `refs/ml/runs/0/${run}`;
    const names = gitBuf(repo, ['ls-tree', '-z', '--name-only', `${ref}:metrics`]).toString('utf8').split('\0').filter(Boolean);
    expect(names.sort()).toEqual([METRIC, 'évaluation%2F精度'].sort());
    expect(metricLinesViaGit(repo, ref, METRIC)).toEqual(['1000 0.25 1', '2000 0.75 2']);
    expect(metricLinesViaGit(repo, ref, 'évaluation%2F精度')).toEqual(['5 3 0']);
    expect(git(repo, 'show', `${ref}:params.yaml`)).toBe(`"${PARAM}": "0.01"`);
    expect(git(repo, 'show', `${ref}:tags.yaml`)).toContain(`"${TAG}": "vision"`);
    fsckStrict(repo);
  });

  it("refuses what Python's \\w refuses: a combining accent (NFD é), an emoji, typographic punctuation", () => {
    const c = openClient(makeRepo());
    const run = c.createRun('0', { recordSource: false }).info.run_id;
    for (const bad of ['pre\u0301cision', 'loss🔥', 'taux d’apprentissage', 'a\u200bb']) {
      for (const call of [() => c.logMetric(run, bad, 1), () => c.logParam(run, bad, 1), () => c.setTag(run, bad, 'v')]) {
        const e = caught(call);
        expect(e.code).toBe('INVALID_PARAMETER_VALUE');
        expect(e.message).toContain(`'${bad}'`);
        expect(e.message).toMatch(/letters and digits \(of any script\)/);
      }
    }
    expect(c.getRun(run).data).toEqual({ metrics: [], params: [], tags: expect.any(Array) });
  });
});
