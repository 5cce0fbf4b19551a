/**
 * MlClient's MLflow promises on a real repository: write-once params, metric histories with the
 * special float values, MLflow's validation limits, not-found errors, search with OR/parentheses,
 * ordering and paging, metric-history paging, and a corrupt record that stays contained.
 */
import { mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MlClient, type Metric } from '@git-ml/tracking';
import { caught, closeClients, fsckStrict, git, gitBuf, makeRepo, openClient, removeTempDirs, tempDir } from '@git-ml/test-support';

afterEach(closeClients);
afterAll(removeTempDirs);

function newRun(c: MlClient, exp = '0', opts: Parameters<MlClient['createRun']>[1] = {}): string {
  return c.createRun(exp, { recordSource: false, ...opts }).info.run_id;
}

describe('params are write-once', () => {
  it('accepts the same value again and refuses another value with INVALID_PARAMETER_VALUE naming the key', () => {
    const repo = makeRepo();
    const c = openClient(repo);
    const run = newRun(c);
    c.logParam(run, 'lr', 0.01);
    c.logParam(run, 'lr', '0.01'); // same string value: fine
    c.logBatch(run, { params: { lr: '0.01' } });
    const e = caught(() => c.logParam(run, 'lr', 0.02));
    expect(e.code).toBe('INVALID_PARAMETER_VALUE');
    expect(e.message).toContain("'lr'");
    const eb = caught(() => c.logBatch(run, { params: [{ key: 'lr', value: 0.5 }] }));
    expect(eb.code).toBe('INVALID_PARAMETER_VALUE');
    expect(eb.message).toContain("'lr'");
    // one batch giving the same key two values is refused as well
    expect(caught(() => c.logBatch(run, { params: [{ key: 'bs', value: 1 }, { key: 'bs', value: 2 }] })).code).toBe('INVALID_PARAMETER_VALUE');
    expect(c.getRun(run).data.params).toEqual([{ key: 'lr', value: '0.01' }]);
  });

  it("takes the same number spelled another way ('1.0' from an MLproject, 1 from JavaScript) as the same value", () => {
    const repo = makeRepo();
    const c = openClient(repo);
    const run = newRun(c);
    c.logParam(run, 'C', '1.0');
    c.logParam(run, 'C', 1); // String(1.0) is '1' in JavaScript
    c.logBatch(run, { params: { C: '1e0', alpha: '0.001' } });
    c.logParam(run, 'alpha', 1e-3);
    expect(caught(() => c.logParam(run, 'C', 1.5)).code).toBe('INVALID_PARAMETER_VALUE');
    c.logParam(run, 'name', 'abc');
    expect(c.getRun(run).data.params.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: 'alpha', value: '0.001' },
      { key: 'C', value: '1.0' },
      { key: 'name', value: 'abc' },
    ]);
  });

  it('still refuses another value from a new client once the param is committed to the run ref', () => {
    const repo = makeRepo();
    const c1 = openClient(repo);
    const run = newRun(c1);
    c1.logParam(run, 'depth', 3);
    c1.close();
    expect(git(repo, 'show', `refs/ml/runs/0/${run}:params.yaml`)).toContain('depth: "3"');
    const c2 = openClient(repo);
    c2.logParam(run, 'depth', 3);
    const e = caught(() => c2.logParam(run, 'depth', 4));
    expect(e.code).toBe('INVALID_PARAMETER_VALUE');
    expect(e.message).toContain("'depth'");
    c2.close();
    expect(openClient(repo).getRun(run).data.params).toEqual([{ key: 'depth', value: '3' }]);
  });
});

describe('metric history', () => {
  const sameValue = (a: number, b: number) => Object.is(a, b) || a === b;

  function expectHistory(got: Metric[], want: { value: number; step: number; timestamp: number }[]) {
    expect(got.length).toBe(want.length);
    got.forEach((m, i) => {
      expect(m.key).toBe('loss');
      expect(m.step).toBe(want[i].step);
      expect(m.timestamp).toBe(want[i].timestamp);
      expect(sameValue(m.value, want[i].value), `point ${i}: ${m.value} vs ${want[i].value}`).toBe(true);
    });
  }

  it('round-trips NaN, Infinity and -Infinity through journal, commit and a fresh client', () => {
    const repo = makeRepo();
    const c = openClient(repo);
    const run = newRun(c);
    const want = [
      { value: 1.5, step: 0, timestamp: 1000 },
      { value: Number.NaN, step: 1, timestamp: 1001 },
      { value: Infinity, step: 2, timestamp: 1002 },
      { value: -Infinity, step: 3, timestamp: 1003 },
      { value: 1e-300, step: 4, timestamp: 1004 },
      { value: -2.5e300, step: 5, timestamp: 1005 },
      { value: 0.1 + 0.2, step: 6, timestamp: 1006 },
    ];
    for (const p of want.slice(0, 4)) c.logMetric(run, 'loss', p.value, { step: p.step, timestamp: p.timestamp });
    c.logBatch(run, { metrics: want.slice(4).map((p) => ({ key: 'loss', ...p })) });
    expectHistory(c.getMetricHistory(run, 'loss'), want); // pending in the journal
    c.flush();
    expectHistory(c.getMetricHistory(run, 'loss'), want); // folded into the commit
    c.logBatch(run, { metrics: [{ key: 'loss', value: Number.NaN, step: 7, timestamp: 1007 }, { key: 'loss', value: -Infinity, step: 8, timestamp: 1008 }] });
    want.push({ value: Number.NaN, step: 7, timestamp: 1007 }, { value: -Infinity, step: 8, timestamp: 1008 });
    c.close();
    expectHistory(openClient(repo).getMetricHistory(run, 'loss'), want);
    // the latest point (greatest step) is the run's summary value
    const latest = openClient(repo).getRun(run).data.metrics.find((m) => m.key === 'loss')!;
    expect(Object.is(latest.value, -Infinity) && latest.step === 8).toBe(true);
    fsckStrict(repo);
  });

  it('pages getMetricHistoryPage over the whole history, each point once and in order', () => {
    const repo = makeRepo();
    const c = openClient(repo);
    const run = newRun(c);
    for (let i = 0; i < 10; i++) c.logMetric(run, 'loss', i / 10, { step: i, timestamp: 5000 + i });
    c.flush();
    c.logMetric(run, 'loss', 1, { step: 10, timestamp: 5010 }); // one more point still in the journal
    const pages: Metric[][] = [];
    let token: string | undefined;
    do {
      const page = c.getMetricHistoryPage(run, 'loss', { maxResults: 3, pageToken: token });
      pages.push(page.metrics);
      token = page.nextPageToken;
    } while (token);
    expect(pages.map((p) => p.length)).toEqual([3, 3, 3, 2]);
    expect(pages.flat()).toEqual(c.getMetricHistory(run, 'loss'));
    expect(pages.flat().map((m) => m.step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(caught(() => c.getMetricHistoryPage(run, 'loss', { maxResults: 0 })).code).toBe('INVALID_PARAMETER_VALUE');
    expect(caught(() => c.getMetricHistoryPage(run, 'loss', { pageToken: 'not-a-token!' })).code).toBe('INVALID_PAGE_TOKEN');
    // a token carries its query: the next page of 'loss' is not a page of another metric
    const lossToken = c.getMetricHistoryPage(run, 'loss', { maxResults: 3 }).nextPageToken!;
    c.logMetric(run, 'acc', 1, { step: 0 });
    expect(caught(() => c.getMetricHistoryPage(run, 'acc', { pageToken: lossToken })).message).toMatch(/issued for a different query/);
  });
});

describe("MLflow's validation limits", () => {
  it('refuses a 251-character key for params, metrics and tags, and accepts 250', () => {
    const c = openClient(makeRepo());
    const run = newRun(c);
    const long = 'k'.repeat(251);
    for (const [kind, call] of [
      ['param', () => c.logParam(run, long, 1)],
      ['metric', () => c.logMetric(run, long, 1)],
      ['tag', () => c.setTag(run, long, 'v')],
    ] as const) {
      const e = caught(call);
      expect(e.code).toBe('INVALID_PARAMETER_VALUE');
      expect(e.message).toContain(kind);
      expect(e.message).toContain('250');
    }
    c.logParam(run, 'p'.repeat(250), 1);
    c.logMetric(run, 'm'.repeat(250), 1);
    c.setTag(run, 't'.repeat(250), 'v');
    const r = c.getRun(run);
    expect(r.data.params.map((p) => p.key)).toContain('p'.repeat(250));
    expect(r.data.metrics.map((m) => m.key)).toContain('m'.repeat(250));
  });

  // MLflow's own lists (tests/utils/test_validation.py: BAD_/GOOD_METRIC_OR_PARAM_NAMES)
  const BAD = ['', '.', '/', '..', '//', 'a//b', 'a/./b', '/a', 'a/', '\\', './', '/./', '../a', 'a/../b', 'a!b', 'a\nb'];
  const GOOD = ['a', 'Ab-5_', 'a/b/c', 'a.b.c', '.a', 'b.', 'a..a/._./o_O/.e.', 'a b/c d', 'a..b', 'x:y'];

  it.each(BAD)('refuses the key %j for params, metrics and tags, naming the key', (bad) => {
    const c = openClient(makeRepo());
    const run = newRun(c);
    for (const [kind, call] of [
      ['param', () => c.logParam(run, bad, 1)],
      ['metric', () => c.logMetric(run, bad, 1)],
      ['tag', () => c.setTag(run, bad, 'v')],
      ['metric', () => c.logBatch(run, { metrics: [{ key: bad, value: 1 }] })],
    ] as const) {
      const e = caught(call);
      expect(e.code).toBe('INVALID_PARAMETER_VALUE');
      expect(e.message).toContain(kind);
      if (bad.length > 0) expect(e.message).toContain(`'${bad}'`);
    }
    const r = c.getRun(run);
    expect(r.data.params).toEqual([]);
    expect(r.data.metrics).toEqual([]);
  });

  it('accepts the keys MLflow accepts, and they round-trip through commits', () => {
    const repo = makeRepo();
    const c = openClient(repo);
    const run = newRun(c);
    for (const k of GOOD) {
      c.logParam(run, k, `v-${k}`);
      c.logMetric(run, k, 1, { step: 0 });
      c.setTag(run, k, `t-${k}`);
    }
    c.close();
    const r = openClient(repo).getRun(run);
    for (const k of GOOD) {
      expect(r.data.params).toContainEqual({ key: k, value: `v-${k}` });
      expect(r.data.tags).toContainEqual({ key: k, value: `t-${k}` });
      expect(r.data.metrics.map((m) => m.key)).toContain(k);
    }
    fsckStrict(repo);
  });

  it('refuses a param value of 6001 characters (naming the key) and accepts 6000', () => {
    const c = openClient(makeRepo());
    const run = newRun(c);
    const e = caught(() => c.logParam(run, 'big', 'x'.repeat(6001)));
    expect(e.code).toBe('INVALID_PARAMETER_VALUE');
    expect(e.message).toContain("'big'");
    expect(e.message).toContain('6000');
    const eb = caught(() => c.logBatch(run, { params: { big: 'x'.repeat(6001) } }));
    expect(eb.message).toContain("'big'");
    c.logParam(run, 'big', 'x'.repeat(6000));
    expect(c.getRun(run).data.params[0].value.length).toBe(6000);
  });

  it('refuses param values that are not scalars (objects, arrays, null, undefined), naming the key, and stringifies scalars', () => {
    const c = openClient(makeRepo());
    const run = newRun(c);
    for (const [value, got] of [[{ a: 1 }, 'an object (Object)'], [[1, 2], 'an array'], [null, 'null'], [undefined, 'undefined'], [new Date(0), 'an object (Date)']] as const) {
      const e = caught(() => c.logParam(run, 'cfg', value));
      expect(e.code).toBe('INVALID_PARAMETER_VALUE');
      expect(e.message).toBe(
        `Param 'cfg' must be a string, number or boolean, got ${got}. Log each field as its own param (logParams({ ... })), or pass JSON.stringify(value) to store it as text.`,
      );
    }
    expect(caught(() => c.logBatch(run, { params: [{ key: 'nested', value: { lr: 0.1 } }] })).message).toContain("Param 'nested'");
    c.logParam(run, 'lr', 0.01);
    c.logParam(run, 'early_stop', true);
    c.logParam(run, 'seed', 42n);
    const params = Object.fromEntries(c.getRun(run).data.params.map((p) => [p.key, p.value]));
    expect(params).toEqual({ lr: '0.01', early_stop: 'true', seed: '42' });
  });

  it('refuses a tag value of 8001 characters (naming the key) and accepts 8000', () => {
    const c = openClient(makeRepo());
    const run = newRun(c);
    const e = caught(() => c.setTag(run, 'note', 'x'.repeat(8001)));
    expect(e.code).toBe('INVALID_PARAMETER_VALUE');
    expect(e.message).toContain("'note'");
    expect(e.message).toContain('8000');
    c.setTag(run, 'note', 'x'.repeat(8000));
    expect(c.getRun(run).data.tags.find((t) => t.key === 'note')?.value.length).toBe(8000);
  });

  it('refuses logBatch with 1001 metrics or 101 params, naming the field, and logs nothing of it', () => {
    const c = openClient(makeRepo());
    const run = newRun(c);
    const metrics = Array.from({ length: 1001 }, (_, i) => ({ key: 'm', value: i, step: i }));
    const em = caught(() => c.logBatch(run, { metrics }));
    expect(em.code).toBe('INVALID_PARAMETER_VALUE');
    expect(em.message).toContain('metrics');
    expect(em.message).toContain('1000');
    const params = Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: i }));
    const ep = caught(() => c.logBatch(run, { params }));
    expect(ep.code).toBe('INVALID_PARAMETER_VALUE');
    expect(ep.message).toContain('params');
    expect(ep.message).toContain('100');
    // one bad key in an otherwise fine batch: the whole batch is refused
    expect(caught(() => c.logBatch(run, { metrics: [{ key: 'ok', value: 1 }, { key: '/bad', value: 2 }], params: { fine: 1 } })).code).toBe('INVALID_PARAMETER_VALUE');
    const r = c.getRun(run);
    expect(r.data.metrics).toEqual([]);
    expect(r.data.params).toEqual([]);
    // the limits themselves are allowed
    c.logBatch(run, { metrics: metrics.slice(0, 1000) });
    c.logBatch(run, { params: params.slice(0, 100) });
    expect(c.getMetricHistory(run, 'm').length).toBe(1000);
    expect(c.getRun(run).data.params.length).toBe(100);
  });
});

describe('unknown and malformed run ids', () => {
  it('gives RESOURCE_DOES_NOT_EXIST naming the id for every call on an unknown run', () => {
    const repo = makeRepo();
    const c = openClient(repo);
    newRun(c); // the repository has runs, just not this one
    const ghost = '0123456789abcdef0123456789abcdef';
    for (const call of [
      () => c.getRun(ghost),
      () => c.logParam(ghost, 'a', 1),
      () => c.logMetric(ghost, 'a', 1),
      () => c.setTag(ghost, 'a', 'b'),
      () => c.logBatch(ghost, { metrics: [{ key: 'a', value: 1 }] }),
      () => c.getMetricHistory(ghost, 'a'),
      () => c.setTerminated(ghost),
      () => c.listArtifacts(ghost),
    ]) {
      const e = caught(call);
      expect(e.code).toBe('RESOURCE_DOES_NOT_EXIST');
      expect(e.message).toContain(ghost);
    }
    expect(caught(() => c.getExperiment('424242')).code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(caught(() => c.getExperiment('424242')).message).toContain('424242');
  });

  it('refuses a malformed run id with INVALID_PARAMETER_VALUE on every call, logMetric included', () => {
    const repo = makeRepo();
    const c = openClient(repo);
    newRun(c);
    const bad = '../../../heads/main';
    for (const [name, call] of [
      ['getRun', () => c.getRun(bad)],
      ['logParam', () => c.logParam(bad, 'a', 1)],
      ['setTag', () => c.setTag(bad, 'a', 'b')],
      ['logMetric', () => c.logMetric(bad, 'a', 1)],
    ] as const) {
      const e = caught(call);
      expect(e.code, name).toBe('INVALID_PARAMETER_VALUE');
    }
  });
});

describe('searchRuns', () => {
  function tenRuns(c: MlClient) {
    const exp = c.createExperiment('search');
    const runs: { id: string; model: string; acc: number; group: string }[] = [];
    for (let i = 0; i < 10; i++) {
      const model = ['a', 'b', 'c'][i % 3];
      const id = newRun(c, exp, { startTime: 1_000_000 + i * 1000, runName: `run-${i}` });
      const acc = [0.91, 0.15, 0.55, 0.42, 0.77, 0.05, 0.63, 0.33, 0.88, 0.29][i];
      const group = i < 4 ? 'x' : 'y';
      c.logParam(id, 'model', model);
      c.logMetric(id, 'acc', acc, { step: 0 });
      c.setTag(id, 'group', group);
      runs.push({ id, model, acc, group });
      if (i % 2 === 0) c.setTerminated(id);
    }
    return { exp, runs };
  }

  it('evaluates OR and parentheses as MLflow\'s grammar plus OR would', () => {
    const c = openClient(makeRepo());
    const { exp, runs } = tenRuns(c);
    c.flush();
    const ids = (filter: string) => new Set(c.searchRuns(exp, filter).runs.map((r) => r.info.run_id));
    const want = (p: (r: (typeof runs)[number]) => boolean) => new Set(runs.filter(p).map((r) => r.id));

    expect(ids("(params.model = 'a' OR params.model = 'b') AND metrics.acc >= 0.3")).toEqual(want((r) => (r.model === 'a' || r.model === 'b') && r.acc >= 0.3));
    expect(ids("params.model = 'a' OR params.model = 'b' AND metrics.acc >= 0.3")).toEqual(want((r) => r.model === 'a' || (r.model === 'b' && r.acc >= 0.3)));
    expect(ids("tags.group = 'x' OR (metrics.acc < 0.2 AND params.model = 'c')")).toEqual(want((r) => r.group === 'x' || (r.acc < 0.2 && r.model === 'c')));
    expect(ids("attributes.status = 'FINISHED' AND (metrics.acc > 0.8 OR metrics.acc < 0.1)")).toEqual(
      want((r) => runs.indexOf(r) % 2 === 0 && (r.acc > 0.8 || r.acc < 0.1)),
    );
    expect(ids('')).toEqual(want(() => true));
    // the filtered sets are not trivial
    expect(ids("(params.model = 'a' OR params.model = 'b') AND metrics.acc >= 0.3").size).toBe(5);
  });

  it('orders by a metric, a param and an attribute', () => {
    const c = openClient(makeRepo());
    const { exp, runs } = tenRuns(c);
    const byAcc = c.searchRuns(exp, '', { orderBy: ['metrics.acc DESC'] }).runs.map((r) => r.info.run_id);
    expect(byAcc).toEqual([...runs].sort((a, b) => b.acc - a.acc).map((r) => r.id));
    const byModelThenAcc = c.searchRuns(exp, '', { orderBy: ['params.model ASC', 'metrics.acc ASC'] }).runs.map((r) => r.info.run_id);
    expect(byModelThenAcc).toEqual([...runs].sort((a, b) => a.model.localeCompare(b.model) || a.acc - b.acc).map((r) => r.id));
    // default: start_time DESC
    expect(c.searchRuns(exp).runs.map((r) => r.info.run_id)).toEqual([...runs].reverse().map((r) => r.id));
    expect(c.searchRuns(exp, '', { orderBy: ['attributes.start_time ASC'] }).runs.map((r) => r.info.run_id)).toEqual(runs.map((r) => r.id));
  });

  it('pages with maxResults 3 over 10 runs: 4 pages, every run exactly once, in the full order', () => {
    const c = openClient(makeRepo());
    const { exp, runs } = tenRuns(c);
    c.flush();
    const full = c.searchRuns(exp, '', { orderBy: ['metrics.acc ASC'] }).runs.map((r) => r.info.run_id);
    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const page = c.searchRuns(exp, '', { orderBy: ['metrics.acc ASC'], maxResults: 3, pageToken: token });
      pages.push(page.runs.map((r) => r.info.run_id));
      token = page.nextPageToken;
      expect(pages.length).toBeLessThan(10);
    } while (token);
    expect(pages.map((p) => p.length)).toEqual([3, 3, 3, 1]);
    expect(pages.flat()).toEqual(full);
    expect(new Set(pages.flat()).size).toBe(10);
    expect(new Set(pages.flat())).toEqual(new Set(runs.map((r) => r.id)));
  });

  it('returns full runs (params, tags, latest metrics, status) and honours runViewType', () => {
    const c = openClient(makeRepo());
    const { exp, runs } = tenRuns(c);
    c.deleteRun(runs[3].id);
    c.flush();
    const found = c.searchRuns(exp, "params.model = 'a'").runs;
    const r0 = found.find((r) => r.info.run_id === runs[0].id)!;
    expect(r0.info.status).toBe('FINISHED');
    expect(r0.info.run_name).toBe('run-0');
    expect(r0.data.params).toEqual([{ key: 'model', value: 'a' }]);
    expect(r0.data.tags).toContainEqual({ key: 'group', value: 'x' });
    expect(r0.data.metrics.map((m) => [m.key, m.value])).toEqual([['acc', 0.91]]);
    expect(found.map((r) => r.info.run_id)).not.toContain(runs[3].id);
    expect(c.searchRuns(exp, '', { runViewType: 'DELETED_ONLY' }).runs.map((r) => r.info.run_id)).toEqual([runs[3].id]);
    expect(c.searchRuns(exp, '', { runViewType: 'ALL' }).runs.length).toBe(10);
  });
});

describe('a corrupt run record', () => {
  it("makes getRun of that run name the ref and run.yaml, while searchRuns returns the others", () => {
    const repo = makeRepo();
    const c = openClient(repo);
    const exp = c.createExperiment('corrupt');
    const ids = [0, 1, 2].map((i) => newRun(c, exp, { runName: `r${i}` }));
    ids.forEach((id, i) => c.logParam(id, 'i', i));
    c.flush();
    const victim = ids[1];
    const ref = `refs/ml/runs/${exp}/${victim}`;
    expect(c.searchRuns(exp).runs.length).toBe(3);

    // a new commit on the run ref whose run.yaml is broken, made with git plumbing only
    const old = git(repo, 'rev-parse', ref);
    const broken = gitBuf(repo, ['hash-object', '-w', '--stdin'], 'format: git-ml/run@1\nrun_id: [unclosed\n  - : {\n').toString().trim();
    const entries = git(repo, 'ls-tree', old)
      .split('\n')
      .map((l) => (l.endsWith('\trun.yaml') ? l.replace(/blob [0-9a-f]{40}/, `blob ${broken}`) : l))
      .join('\n');
    const tree = gitBuf(repo, ['mktree'], `${entries}\n`).toString().trim();
    const commit = git(repo, 'commit-tree', tree, '-p', old, '-m', 'hand edit');
    git(repo, 'update-ref', ref, commit, old);
    expect(git(repo, 'show', `${ref}:run.yaml`)).toContain('[unclosed');

    for (const client of [c, openClient(repo)]) {
      const e = caught(() => client.getRun(victim));
      expect(e.message).toContain(ref);
      expect(e.message).toContain('run.yaml');
      const rest = client.searchRuns(exp).runs.map((r) => r.info.run_id);
      expect(new Set(rest)).toEqual(new Set([ids[0], ids[2]]));
      expect(client.getRun(ids[2]).data.params).toEqual([{ key: 'i', value: '2' }]);
      expect([...client.unreadableRuns.keys()]).toEqual([ref]);
    }
  });

  it('reports a run.yaml that parses but breaks the schema, naming the ref, the file and the field', () => {
    const repo = makeRepo();
    const c = openClient(repo);
    const run = newRun(c);
    c.close();
    const ref = `refs/ml/runs/0/${run}`;
    const old = git(repo, 'rev-parse', ref);
    const yaml = git(repo, 'show', `${ref}:run.yaml`).replace(/^status: .*$/m, 'status: "EXPLODED"');
    const broken = gitBuf(repo, ['hash-object', '-w', '--stdin'], `${yaml}\n`).toString().trim();
    const entries = git(repo, 'ls-tree', old).replace(/blob [0-9a-f]{40}(\trun\.yaml)/, `blob ${broken}$1`);
    const tree = gitBuf(repo, ['mktree'], `${entries}\n`).toString().trim();
    git(repo, 'update-ref', ref, git(repo, 'commit-tree', tree, '-p', old, '-m', 'hand edit'), old);
    const e = caught(() => openClient(repo).getRun(run));
    expect(e.code).toBe('CORRUPT_RECORD');
    expect(e.message).toContain(ref);
    expect(e.message).toContain('run.yaml');
    expect(e.message).toContain('status');
  });
});

describe("the user's work is never touched", () => {
  function userState(repo: string) {
    return {
      head: git(repo, 'rev-parse', 'HEAD'),
      symbolic: git(repo, 'symbolic-ref', 'HEAD'),
      status: git(repo, 'status', '--porcelain=v1', '--untracked-files=all'),
      heads: git(repo, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads', 'refs/tags', 'refs/stash'),
      stash: git(repo, 'stash', 'list'),
      files: git(repo, 'ls-files', '-s', '--cached'),
    };
  }
  function indexBytes(repo: string): Buffer {
    return readFileSync(join(repo, '.git', 'index'));
  }
  function worktree(repo: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const f of ['README.md', 'train.py', 'notes.txt', 'staged.txt', 'debug.log', 'data/new.csv']) {
      try {
        out[f] = readFileSync(join(repo, f), 'utf8');
      } catch {
        out[f] = '<absent>';
      }
    }
    return out;
  }

  async function logEverything(repo: string): Promise<{ run: string; ref: string }> {
    const c = openClient(repo);
    const exp = c.createExperiment('hands-off');
    const run = c.createRun(exp).info.run_id;
    c.logParam(run, 'p', 1);
    for (let i = 0; i < 20; i++) c.logMetric(run, 'm', i, { step: i });
    c.setTag(run, 't', 'v');
    c.logText(run, 'hello', 'notes/hello.txt');
    const dir = tempDir('gitml-art-');
    writeFileSync(join(dir, 'a.txt'), 'artifact');
    await c.logArtifacts(run, dir, 'outputs');
    c.flush();
    c.searchRuns(exp);
    c.setTerminated(run);
    c.close();
    rmSync(dir, { recursive: true, force: true });
    return { run, ref: `refs/ml/runs/${exp}/${run}` };
  }

  it('leaves HEAD, index, branches and a clean working tree byte-identical; the source is HEAD', async () => {
    const repo = makeRepo();
    git(repo, 'branch', 'feature');
    git(repo, 'tag', 'v0');
    const before = userState(repo);
    const idx = indexBytes(repo);
    const files = worktree(repo);
    const { run, ref } = await logEverything(repo);
    expect(userState(repo)).toEqual(before);
    expect(indexBytes(repo).equals(idx)).toBe(true);
    expect(worktree(repo)).toEqual(files);
    const runYaml = git(repo, 'show', `${ref}:run.yaml`);
    expect(runYaml).toContain(`commit: "${before.head}"`);
    expect(runYaml).toContain('dirty: false');
    const tags = openClient(repo).getRun(run).data.tags;
    expect(tags).toContainEqual({ key: 'mlflow.source.git.commit', value: before.head });
    expect(tags).toContainEqual({ key: 'mlflow.source.git.branch', value: 'main' });
    // the run's first commit has the source commit as a parent
    expect(git(repo, 'rev-list', '--max-parents=0', ref)).toBe(git(repo, 'rev-list', '--max-parents=0', 'HEAD'));
    expect(git(repo, 'merge-base', '--is-ancestor', before.head, ref)).toBe('');
    fsckStrict(repo);
  });

  it('with a dirty tree (staged, modified, touched, untracked, ignored files) changes nothing and snapshots it', async () => {
    const repo = makeRepo();
    writeFileSync(join(repo, '.gitignore'), '*.log\n');
    git(repo, 'add', '.gitignore');
    git(repo, 'commit', '-q', '-m', 'ignore logs');
    writeFileSync(join(repo, 'staged.txt'), 'staged content\n');
    git(repo, 'add', 'staged.txt');
    writeFileSync(join(repo, 'train.py'), 'print("changed, not staged")\n');
    mkdirSync(join(repo, 'data'));
    writeFileSync(join(repo, 'data/new.csv'), 'a,b\n1,2\n');
    writeFileSync(join(repo, 'debug.log'), 'ignored\n');
    // same content, newer mtime: a plain `git status` would refresh (rewrite) the index for this
    const future = new Date(Date.now() + 5000);
    utimesSync(join(repo, 'README.md'), future, future);

    const before = userState(repo);
    const idx = indexBytes(repo);
    const files = worktree(repo);
    expect(before.status).toContain('?? data/new.csv');

    const { run, ref } = await logEverything(repo);

    expect(userState(repo)).toEqual(before);
    expect(indexBytes(repo).equals(idx), '.git/index changed').toBe(true);
    expect(worktree(repo)).toEqual(files);

    const runYaml = git(repo, 'show', `${ref}:run.yaml`);
    const snapshot = /commit: "([0-9a-f]{40})"/.exec(runYaml)![1];
    expect(snapshot).not.toBe(before.head);
    expect(runYaml).toContain('dirty: true');
    expect(runYaml).toContain(`head: "${before.head}"`);
    expect(git(repo, 'rev-parse', `${snapshot}^@`)).toBe(before.head); // exactly one parent: HEAD
    expect(git(repo, 'show', `${snapshot}:data/new.csv`)).toBe('a,b\n1,2');
    expect(git(repo, 'show', `${snapshot}:train.py`)).toBe('print("changed, not staged")');
    expect(git(repo, 'show', `${snapshot}:staged.txt`)).toBe('staged content');
    expect(git(repo, 'ls-tree', '-r', '--name-only', snapshot).split('\n')).not.toContain('debug.log');
    const tags = openClient(repo).getRun(run).data.tags;
    expect(tags).toContainEqual({ key: 'mlflow.source.git.commit', value: snapshot });
    expect(tags).toContainEqual({ key: 'git-ml.source.dirty', value: 'true' });
    // the snapshot travels with the run: it is an ancestor of the run ref
    expect(git(repo, 'merge-base', '--is-ancestor', snapshot, ref)).toBe('');
    fsckStrict(repo);
  });
});


describe('where git-ml runs', () => {
  it('works in a bare repository: runs are refs there, and git fsck agrees', () => {
    const src = makeRepo();
    const bare = tempDir('gitml-bare-');
    git(bare, 'init', '-q', '--bare', '-b', 'main');
    git(src, 'push', '-q', bare, 'main');
    const c = openClient(bare);
    const run = c.createRun('0').info.run_id;
    c.logParam(run, 'where', 'bare');
    c.logMetric(run, 'm', 1);
    c.setTerminated(run);
    c.close();
    expect(git(bare, 'for-each-ref', '--format=%(refname)', 'refs/ml/runs')).toBe(`refs/ml/runs/0/${run}`);
    expect(git(bare, 'show', `refs/ml/runs/0/${run}:params.yaml`)).toContain('where: "bare"');
    const again = openClient(bare);
    expect(again.getRun(run).data.tags).toContainEqual({ key: 'mlflow.source.git.commit', value: git(bare, 'rev-parse', 'main') });
    expect(again.searchRuns('0').runs.map((r) => r.info.run_id)).toEqual([run]);
    fsckStrict(bare);
  });

  it('works in a linked worktree: runs land in the shared repository and record the worktree\'s HEAD', () => {
    const repo = makeRepo();
    const wt = join(tempDir('gitml-wt-'), 'wt');
    git(repo, 'worktree', 'add', '-q', '-b', 'experiment', wt);
    writeFileSync(join(wt, 'wt-only.txt'), 'x\n');
    git(wt, 'add', 'wt-only.txt');
    git(wt, 'commit', '-q', '-m', 'worktree commit');
    const wtHead = git(wt, 'rev-parse', 'HEAD');
    const mainHead = git(repo, 'rev-parse', 'HEAD');
    const c = openClient(wt);
    const run = c.createRun('0').info.run_id;
    c.logParam(run, 'where', 'worktree');
    c.close();
    // visible from the main working tree, through git and through git-ml
    expect(git(repo, 'for-each-ref', '--format=%(refname)', 'refs/ml/runs')).toBe(`refs/ml/runs/0/${run}`);
    const r = openClient(repo).getRun(run);
    expect(r.data.params).toEqual([{ key: 'where', value: 'worktree' }]);
    expect(r.data.tags).toContainEqual({ key: 'mlflow.source.git.commit', value: wtHead });
    expect(r.data.tags).toContainEqual({ key: 'mlflow.source.git.branch', value: 'experiment' });
    // neither HEAD moved
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(mainHead);
    expect(git(wt, 'rev-parse', 'HEAD')).toBe(wtHead);
    expect(git(wt, 'status', '--porcelain')).toBe('');
    fsckStrict(repo);
  });
});
