import { describe, expect, it } from 'vitest';
import type { Run, RunStatus } from '../model.js';
import { OrderBySyntaxError } from './errors.js';
import { compareRuns, parseOrderBy, sortRuns } from './order-by.js';

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
  makeRun({ id: 'a', start: 10, end: 30, status: 'FINISHED', metrics: { acc: 0.5 }, params: { lr: '9' }, tags: { t: 'b' } }),
  makeRun({ id: 'b', start: 30, end: null, status: 'RUNNING', metrics: { acc: Number.NaN }, params: { lr: '10' } }),
  makeRun({ id: 'c', start: 20, end: 25, status: 'FAILED', metrics: { acc: 0.9 }, tags: { t: 'a' } }),
  makeRun({ id: 'd', start: 20, end: 40, status: 'FINISHED', params: { lr: '1' }, tags: { t: 'B' } }),
  makeRun({ id: 'e', start: 5, end: 50, status: 'KILLED', metrics: { acc: Number.NEGATIVE_INFINITY }, params: { lr: '9' } }),
];

function order(clauses: string[], runs: Run[] = RUNS): string[] {
  return sortRuns(runs, parseOrderBy(clauses)).map((r) => r.info.run_id);
}

function orderWithComparator(clauses: string[], runs: Run[] = RUNS): string[] {
  return [...runs].sort(compareRuns(parseOrderBy(clauses))).map((r) => r.info.run_id);
}

function orderByError(clause: string): OrderBySyntaxError {
  try {
    parseOrderBy([clause]);
  } catch (e) {
    expect(e).toBeInstanceOf(OrderBySyntaxError);
    return e as OrderBySyntaxError;
  }
  throw new Error(`expected ${JSON.stringify(clause)} to be rejected`);
}

describe('parseOrderBy', () => {
  it('reads identifiers with an optional, case-insensitive direction', () => {
    expect(parseOrderBy(['metrics.f1 DESC', 'metrics.`f1 score`', 'attributes.start_time asc', 'params.lr ASC', 'tags."a b" desc'])).toEqual([
      { entity: 'metric', key: 'f1', ascending: false },
      { entity: 'metric', key: 'f1 score', ascending: true },
      { entity: 'attribute', key: 'start_time', ascending: true },
      { entity: 'param', key: 'lr', ascending: true },
      { entity: 'tag', key: 'a b', ascending: false },
    ]);
    expect(parseOrderBy(['Created DESC', '`Run Name`'])).toEqual([
      { entity: 'attribute', key: 'start_time', ascending: false },
      { entity: 'attribute', key: 'run_name', ascending: true },
    ]);
    expect(parseOrderBy(undefined)).toEqual([]);
    expect(parseOrderBy([])).toEqual([]);
  });

  it('rejects bad clauses with the position and what was expected', () => {
    const extra = orderByError('metrics.acc DESC x');
    expect(extra.code).toBe('INVALID_ORDER_BY');
    expect(extra.data).toMatchObject({ clause: 'metrics.acc DESC x', position: 17 });
    expect(extra.message).toBe(
      "Invalid order_by clause at position 17: expected ASC, DESC or the end of the clause after 'DESC', found 'x'\n" +
        '  metrics.acc DESC x\n' +
        '                   ^',
    );
    expect(orderByError('metrics.acc DOWN').message).toContain("position 12: expected ASC, DESC or the end of the clause after 'metrics.acc', found 'DOWN'");
    expect(orderByError('').message).toContain('position 0: expected an identifier');
    expect(orderByError('foo DESC').message).toContain("unknown attribute 'foo'");
    expect(orderByError('metrics.acc > 1').data.position).toBe(12);
  });

  it('rejects a key given twice, as MLflow does', () => {
    expect(() => parseOrderBy(['metrics.acc', 'metrics.acc DESC'])).toThrow(/names metric 'acc' more than once/);
    expect(() => parseOrderBy(['created', 'start_time'])).toThrow(OrderBySyntaxError);
  });
});

describe('sortRuns and compareRuns', () => {
  it('default to start_time DESC then run_id ASC', () => {
    expect(order([])).toEqual(['b', 'c', 'd', 'a', 'e']);
    expect(orderWithComparator([])).toEqual(['b', 'c', 'd', 'a', 'e']);
  });

  it('sort metrics numerically with NaN after numbers and missing last, ascending', () => {
    expect(order(['metrics.acc ASC'])).toEqual(['e', 'a', 'c', 'b', 'd']);
    expect(orderWithComparator(['metrics.acc'])).toEqual(['e', 'a', 'c', 'b', 'd']);
  });

  it('sort metrics with NaN after numbers and missing last, descending', () => {
    expect(order(['metrics.acc DESC'])).toEqual(['c', 'a', 'e', 'b', 'd']);
    expect(orderWithComparator(['metrics.acc DESC'])).toEqual(['c', 'a', 'e', 'b', 'd']);
  });

  it('sort params lexically, missing last both ways, ties by start_time DESC then run_id', () => {
    // '1' < '10' < '9' as strings; a and e tie on '9' and fall back to start_time DESC.
    expect(order(['params.lr'])).toEqual(['d', 'b', 'a', 'e', 'c']);
    expect(order(['params.lr DESC'])).toEqual(['a', 'e', 'b', 'd', 'c']);
  });

  it('sort tags case-sensitively by code unit', () => {
    expect(order(['tags.t'])).toEqual(['d', 'c', 'a', 'b', 'e']);
    expect(order(['tags.t DESC'])).toEqual(['a', 'c', 'd', 'b', 'e']);
  });

  it('sort attributes, with a null end_time last', () => {
    expect(order(['end_time'])).toEqual(['c', 'a', 'd', 'e', 'b']);
    expect(order(['attributes.end_time DESC'])).toEqual(['e', 'd', 'a', 'c', 'b']);
    expect(order(['status'])).toEqual(['c', 'd', 'a', 'e', 'b']);
    expect(order(['start_time ASC'])).toEqual(['e', 'a', 'c', 'd', 'b']);
  });

  it('apply later keys to break ties of earlier ones', () => {
    expect(order(['status DESC', 'metrics.acc DESC'])).toEqual(['b', 'e', 'a', 'd', 'c']);
    expect(orderWithComparator(['status DESC', 'metrics.acc DESC'])).toEqual(['b', 'e', 'a', 'd', 'c']);
  });

  it('break full ties by run_id ascending', () => {
    const twins = [makeRun({ id: 'z', start: 1 }), makeRun({ id: 'm', start: 1 }), makeRun({ id: 'q', start: 1 })];
    expect(order(['status'], twins)).toEqual(['m', 'q', 'z']);
  });

  it('do not modify the input array', () => {
    const copy = [...RUNS];
    order(['metrics.acc']);
    expect(RUNS).toEqual(copy);
  });
});
