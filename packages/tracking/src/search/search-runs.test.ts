import { describe, expect, it } from 'vitest';
import type { Run, RunStatus } from '../model.js';
import { FilterSyntaxError, InvalidArgumentError, InvalidPageTokenError, OrderBySyntaxError } from './errors.js';
import { searchRunsInMemory } from './index.js';

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

// 25 runs; start_time is shuffled so default order is not input order.
const RUNS: Run[] = Array.from({ length: 25 }, (_, i) =>
  makeRun({ id: `run${String(i).padStart(2, '0')}`, start: (i * 7) % 25, metrics: { acc: i / 100 }, params: { even: String(i % 2 === 0) } }),
);

function allPages(options: { filter?: string; orderBy?: string[]; maxResults?: number }): string[][] {
  const pages: string[][] = [];
  let pageToken: string | undefined;
  do {
    const page = searchRunsInMemory(RUNS, { ...options, pageToken });
    pages.push(page.runs.map((r) => r.info.run_id));
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
  return pages;
}

describe('searchRunsInMemory', () => {
  it('pages through 25 runs 10 at a time, returning each exactly once in order', () => {
    const pages = allPages({ orderBy: ['metrics.acc DESC'], maxResults: 10 });
    const expected = Array.from({ length: 25 }, (_, i) => `run${String(24 - i).padStart(2, '0')}`);
    expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
    expect(pages.flat()).toEqual(expected);
  });

  it('pages in the default start_time DESC order', () => {
    const flat = allPages({ maxResults: 10 }).flat();
    expect(new Set(flat).size).toBe(25);
    expect(flat.slice(0, 3)).toEqual(['run07', 'run14', 'run21']);
  });

  it('omits nextPageToken when the page reaches the end exactly', () => {
    const pages = allPages({ filter: "params.even = 'true'", orderBy: ['metrics.acc'], maxResults: 13 });
    expect(pages).toEqual([['run00', 'run02', 'run04', 'run06', 'run08', 'run10', 'run12', 'run14', 'run16', 'run18', 'run20', 'run22', 'run24']]);
  });

  it('filters, orders and pages together', () => {
    const first = searchRunsInMemory(RUNS, { filter: 'metrics.acc >= 0.2', orderBy: ['metrics.acc'], maxResults: 2 });
    expect(first.runs.map((r) => r.info.run_id)).toEqual(['run20', 'run21']);
    const second = searchRunsInMemory(RUNS, { filter: 'metrics.acc >= 0.2', orderBy: ['metrics.acc'], maxResults: 2, pageToken: first.nextPageToken });
    expect(second.runs.map((r) => r.info.run_id)).toEqual(['run22', 'run23']);
    const third = searchRunsInMemory(RUNS, { filter: 'metrics.acc >= 0.2', orderBy: ['metrics.acc'], maxResults: 2, pageToken: second.nextPageToken });
    expect(third).toEqual({ runs: [RUNS[24]] });
  });

  it('returns up to 1000 runs by default and everything for an empty filter', () => {
    const page = searchRunsInMemory(RUNS);
    expect(page.runs).toHaveLength(25);
    expect(page.nextPageToken).toBeUndefined();
  });

  it('refuses a page token from another query', () => {
    const first = searchRunsInMemory(RUNS, { filter: 'metrics.acc > 0', maxResults: 5 });
    expect(() => searchRunsInMemory(RUNS, { filter: 'metrics.acc > 0.1', maxResults: 5, pageToken: first.nextPageToken })).toThrow(InvalidPageTokenError);
  });

  it.each([0, -1, 50_001, 1.5, Number.NaN])('rejects max_results %s', (maxResults) => {
    let error: unknown;
    try {
      searchRunsInMemory(RUNS, { maxResults });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).code).toBe('INVALID_PARAMETER_VALUE');
    expect((error as InvalidArgumentError).message).toContain("parameter 'max_results'");
  });

  it('accepts max_results 1 and 50000', () => {
    expect(searchRunsInMemory(RUNS, { maxResults: 1 }).runs.map((r) => r.info.run_id)).toEqual(['run07']);
    expect(searchRunsInMemory(RUNS, { maxResults: 50_000 }).runs).toHaveLength(25);
  });

  it('reports bad filters and order_by clauses', () => {
    expect(() => searchRunsInMemory(RUNS, { filter: 'metrics.acc >' })).toThrow(FilterSyntaxError);
    expect(() => searchRunsInMemory(RUNS, { orderBy: ['metrics.acc sideways'] })).toThrow(OrderBySyntaxError);
  });

  it('does not modify the input', () => {
    const copy = [...RUNS];
    searchRunsInMemory(RUNS, { orderBy: ['metrics.acc DESC'] });
    expect(RUNS).toEqual(copy);
  });
});

describe('attributes.duration (git-ml: end_time − start_time)', () => {
  const runs = [
    makeRun({ id: 'a', start: 100, end: 400 }),
    makeRun({ id: 'b', start: 100, end: 150 }),
    makeRun({ id: 'c', start: 100, end: null, status: 'RUNNING' }),
    makeRun({ id: 'd', start: 50, end: 1050 }),
  ];
  it('sorts by it, runs still running last', () => {
    expect(searchRunsInMemory(runs, { orderBy: ['attributes.duration ASC'] }).runs.map((r) => r.info.run_id)).toEqual(['b', 'a', 'd', 'c']);
    expect(searchRunsInMemory(runs, { orderBy: ['duration DESC'] }).runs.map((r) => r.info.run_id)).toEqual(['d', 'a', 'b', 'c']);
  });
  it('filters on it as a number', () => {
    expect(searchRunsInMemory(runs, { filter: 'attributes.duration >= 300' }).runs.map((r) => r.info.run_id).sort()).toEqual(['a', 'd']);
    expect(() => searchRunsInMemory(runs, { filter: "attributes.duration = 'x'" })).toThrow(FilterSyntaxError);
  });
});
