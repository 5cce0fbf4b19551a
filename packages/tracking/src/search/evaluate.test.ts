import { describe, expect, it } from 'vitest';
import type { Run, RunStatus } from '../model.js';
import { compileFilter } from './evaluate.js';
import { FilterSyntaxError } from './errors.js';
import { parseFilter } from './parse-filter.js';

interface Spec {
  id: string;
  start?: number;
  end?: number | null;
  status?: RunStatus;
  name?: string;
  metrics?: Record<string, number>;
  params?: Record<string, string>;
  tags?: Record<string, string>;
}

function makeRun(s: Spec): Run {
  return {
    info: {
      run_id: s.id,
      run_uuid: s.id,
      run_name: s.name ?? `run-${s.id}`,
      experiment_id: '0',
      user_id: 'alice',
      status: s.status ?? 'FINISHED',
      start_time: s.start ?? 1000,
      end_time: s.end === undefined ? 2000 : s.end,
      lifecycle_stage: 'active',
      artifact_uri: `mlruns/0/${s.id}/artifacts`,
    },
    data: {
      metrics: Object.entries(s.metrics ?? {}).map(([key, value]) => ({ key, value, timestamp: 0, step: 0 })),
      params: Object.entries(s.params ?? {}).map(([key, value]) => ({ key, value })),
      tags: Object.entries(s.tags ?? {}).map(([key, value]) => ({ key, value })),
    },
  };
}

const RUNS: Run[] = [
  makeRun({ id: 'r1', start: 100, end: 150, name: 'alpha', metrics: { acc: 0.5, 'f1 score': 0.7 }, params: { opt: 'adam', lr: '0.1' }, tags: { team: 'ML' } }),
  makeRun({ id: 'r2', start: 200, end: null, status: 'RUNNING', name: 'beta', metrics: { acc: 0.9 }, params: { opt: 'sgd' }, tags: { team: 'ml-ops' } }),
  makeRun({ id: 'r3', start: 300, status: 'FAILED', name: 'a.b+c', metrics: { acc: Number.NaN, loss: 1 }, params: { opt: 'Adam', path: 'x.y+z' } }),
  makeRun({ id: 'r4', start: 400, name: 'axbbc', metrics: { acc: Number.POSITIVE_INFINITY, loss: Number.NEGATIVE_INFINITY }, tags: { note: '50%' } }),
  makeRun({ id: 'r5', start: 500, name: 'gamma', params: { opt: 'adamw', lr: '0.01' }, tags: { team: 'ml', note: '50 of 100' } }),
];

function ids(filter: string, runs: Run[] = RUNS): string[] {
  return runs.filter(compileFilter(filter)).map((r) => r.info.run_id);
}

describe('compileFilter', () => {
  it('matches every run for an empty filter', () => {
    expect(ids('')).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
    expect(ids('   ')).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
  });

  it('applies each metric comparator; runs without the metric never match', () => {
    expect(ids('metrics.acc = 0.9')).toEqual(['r2']);
    expect(ids('metrics.acc > 0.5')).toEqual(['r2', 'r4']);
    expect(ids('metrics.acc >= 0.5')).toEqual(['r1', 'r2', 'r4']);
    expect(ids('metrics.acc < 0.9')).toEqual(['r1']);
    expect(ids('metrics.acc <= 0.9')).toEqual(['r1', 'r2']);
    // NaN satisfies only !=; r5 has no acc at all and is excluded even from !=.
    expect(ids('metrics.acc != 0.9')).toEqual(['r1', 'r3', 'r4']);
  });

  it('treats NaN as unequal to everything and Infinity as beyond every number', () => {
    expect(ids('metrics.acc = 0')).toEqual([]);
    expect(ids('metrics.acc > 1e308')).toEqual(['r4']);
    expect(ids('metrics.loss < -1e308')).toEqual(['r4']);
    expect(ids('metrics.loss >= -1')).toEqual(['r3']);
  });

  it('reads quoted metric keys', () => {
    expect(ids('metrics.`f1 score` > 0.6')).toEqual(['r1']);
  });

  it('applies = and != to params and tags, case-sensitively, skipping runs without the key', () => {
    expect(ids("params.opt = 'adam'")).toEqual(['r1']);
    expect(ids("params.opt != 'adam'")).toEqual(['r2', 'r3', 'r5']);
    expect(ids("tags.team = 'ml'")).toEqual(['r5']);
    expect(ids("params.lr = '0.1'")).toEqual(['r1']);
  });

  it('implements LIKE wildcards case-sensitively', () => {
    expect(ids("params.opt LIKE 'adam%'")).toEqual(['r1', 'r5']);
    expect(ids("params.opt LIKE '%dam'")).toEqual(['r1', 'r3']);
    expect(ids("params.opt LIKE '_dam'")).toEqual(['r1', 'r3']);
    expect(ids("params.opt LIKE 'A_am'")).toEqual(['r3']);
    expect(ids("params.opt LIKE '%'")).toEqual(['r1', 'r2', 'r3', 'r5']);
    expect(ids("params.opt LIKE 'ada'")).toEqual([]);
  });

  it('implements ILIKE case-insensitively', () => {
    expect(ids("params.opt ILIKE 'ADAM'")).toEqual(['r1', 'r3']);
    expect(ids("tags.team ILIKE 'ml%'")).toEqual(['r1', 'r2', 'r5']);
  });

  it('treats regex characters in LIKE patterns literally', () => {
    expect(ids("run_name LIKE 'a.b+c'")).toEqual(['r3']);
    expect(ids("attributes.run_name LIKE 'a_b_c'")).toEqual(['r3', 'r4']);
    expect(ids("params.path LIKE 'x.y+%'")).toEqual(['r3']);
    expect(ids("params.path LIKE '(x|y)'")).toEqual([]);
  });

  it('lets a backslash make % and _ literal', () => {
    expect(ids("tags.note LIKE '50\\%'")).toEqual(['r4']);
    expect(ids("tags.note LIKE '50%'")).toEqual(['r4', 'r5']);
  });

  it('filters on string and numeric attributes', () => {
    expect(ids("status = 'RUNNING'")).toEqual(['r2']);
    expect(ids("attributes.status != 'FINISHED'")).toEqual(['r2', 'r3']);
    expect(ids("run_name ILIKE '%A%'")).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
    expect(ids('start_time >= 300')).toEqual(['r3', 'r4', 'r5']);
    expect(ids('created < 200')).toEqual(['r1']);
    expect(ids("user_id = 'alice' AND artifact_uri LIKE '%/r2/%'")).toEqual(['r2']);
    expect(ids("lifecycle_stage = 'active'")).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
  });

  it('never matches end_time on a run that has not ended', () => {
    expect(ids('end_time > 0')).toEqual(['r1', 'r3', 'r4', 'r5']);
    expect(ids('end_time != 150')).toEqual(['r3', 'r4', 'r5']);
  });

  it('implements run_id IN and NOT IN', () => {
    expect(ids("run_id IN ('r2', 'r4', 'nope')")).toEqual(['r2', 'r4']);
    expect(ids("run_id NOT IN ('r2', 'r4')")).toEqual(['r1', 'r3', 'r5']);
    expect(ids("run_id = 'r3'")).toEqual(['r3']);
  });

  it('combines with AND, OR and parentheses', () => {
    expect(ids("metrics.acc > 0.8 OR params.opt = 'adam'")).toEqual(['r1', 'r2', 'r4']);
    expect(ids("params.opt LIKE 'adam%' AND tags.team = 'ml'")).toEqual(['r5']);
    expect(ids("metrics.acc < 1 OR tags.team = 'ml' AND params.lr = '0.01'")).toEqual(['r1', 'r2', 'r5']);
    expect(ids("(metrics.acc < 1 OR tags.team = 'ml') AND params.lr = '0.01'")).toEqual(['r5']);
    expect(ids("status = 'FINISHED' AND (metrics.loss = 1 OR metrics.loss < 0 OR run_name = 'gamma')")).toEqual(['r4', 'r5']);
  });

  it('accepts a parsed tree as well as a string', () => {
    expect(RUNS.filter(compileFilter(parseFilter('metrics.acc >= 0.9'))).map((r) => r.info.run_id)).toEqual(['r2', 'r4']);
  });

  it('throws FilterSyntaxError when compiling a bad string', () => {
    expect(() => compileFilter('metrics.acc ~ 1')).toThrow(FilterSyntaxError);
  });

  it('evaluates a filter over 100 000 runs', () => {
    const many: Run[] = [];
    for (let i = 0; i < 100_000; i++) {
      many.push(
        makeRun({
          id: `run${i}`,
          start: i,
          metrics: { acc: (i % 100) / 100, loss: i % 7, step_time: i },
          params: { opt: i % 3 === 0 ? 'adam' : 'sgd', lr: String(i % 5) },
          tags: { team: i % 2 === 0 ? 'ML' : 'ops', 'mlflow.runName': `r${i}` },
        }),
      );
    }
    const predicate = compileFilter("(metrics.acc >= 0.99 OR metrics.loss = 3) AND params.opt ILIKE 'ADA%' AND tags.team LIKE 'M_' AND params.lr != '4'");
    const matched = many.filter(predicate).map((r) => r.info.run_id);
    const expected = many
      .filter((_, i) => (i % 100 === 99 || i % 7 === 3) && i % 3 === 0 && i % 2 === 0 && i % 5 !== 4)
      .map((r) => r.info.run_id);
    expect(expected.length).toBeGreaterThan(1000);
    expect(matched).toEqual(expected);
  });
});
