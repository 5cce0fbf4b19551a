/**
 * Filter, order and page a list of runs in memory with MLflow's `search_runs` semantics.
 */
import type { Run } from '../model.js';
import { InvalidArgumentError } from './errors.js';
import { compileFilter } from './evaluate.js';
import { parseOrderBy, sortRuns } from './order-by.js';
import { decodePageToken, encodePageToken, queryFingerprint } from './page-token.js';

/** MLflow's default `max_results` for search_runs. */
export const SEARCH_MAX_RESULTS_DEFAULT = 1000;
/** MLflow's upper bound on `max_results` for search_runs. */
export const SEARCH_MAX_RESULTS_THRESHOLD = 50000;

export interface SearchRunsOptions {
  /** filter string; empty or absent matches every run */
  filter?: string;
  /** `<identifier> [ASC|DESC]` clauses; absent means start_time DESC, run_id ASC */
  orderBy?: readonly string[];
  /** page size, 1..50000; default 1000 */
  maxResults?: number;
  /** `nextPageToken` from the previous page of the same query */
  pageToken?: string;
}

export interface SearchRunsPage {
  runs: Run[];
  /** present when more runs follow this page */
  nextPageToken?: string;
}

function checkMaxResults(maxResults: number): void {
  if (!Number.isInteger(maxResults) || maxResults < 1) {
    throw new InvalidArgumentError('max_results', maxResults, 'it must be a positive integer');
  }
  if (maxResults > SEARCH_MAX_RESULTS_THRESHOLD) {
    throw new InvalidArgumentError('max_results', maxResults, `it must be at most ${SEARCH_MAX_RESULTS_THRESHOLD}`);
  }
}

/**
 * Runs one page of a search over `runs` (which the caller has already narrowed to the wanted
 * experiments and lifecycle stages): filter, sort, then return `maxResults` runs from the page
 * token's offset, with a `nextPageToken` when more remain. Throws `InvalidArgumentError` for a
 * `max_results` outside 1..50000, `FilterSyntaxError`, `OrderBySyntaxError` or
 * `InvalidPageTokenError` for bad input. Does not modify `runs`.
 */
export function searchRunsInMemory(runs: readonly Run[], options: SearchRunsOptions = {}): SearchRunsPage {
  const { filter, orderBy, maxResults = SEARCH_MAX_RESULTS_DEFAULT, pageToken } = options;
  checkMaxResults(maxResults);
  const predicate = compileFilter(filter ?? '');
  const keys = parseOrderBy(orderBy);
  const fingerprint = queryFingerprint(filter, orderBy);
  const start = decodePageToken(pageToken ?? '', fingerprint);
  const ordered = sortRuns(runs.filter(predicate), keys);
  const end = start + maxResults;
  const page: SearchRunsPage = { runs: ordered.slice(start, end) };
  if (end < ordered.length) page.nextPageToken = encodePageToken(end, fingerprint);
  return page;
}

export interface RunWindowOptions {
  filter?: string;
  orderBy?: readonly string[];
  /** first match to return, 0-based */
  offset?: number;
  /** how many matches to return (may be Infinity) */
  limit?: number;
  /**
   * Group nested runs under their parent (tag `mlflow.parentRunId`): `null` returns the top level —
   * matching runs whose parent is not itself a match — and a run id returns that run's matching
   * children. Absent: every match, flat.
   */
  parent?: string | null;
  /** skip ordering: for aggregates over every match (counts, keys), where order does not matter */
  unordered?: boolean;
}

export interface RunWindow {
  runs: Run[];
  /** how many runs match in all (at this level when grouping) */
  total: number;
  /** for runs in this window that have matching children: how many */
  childCounts: Map<string, number>;
}

const PARENT_TAG = 'mlflow.parentRunId';

function parentOf(run: Run): string | undefined {
  for (const t of run.data.tags) if (t.key === PARENT_TAG) return t.value;
  return undefined;
}

/**
 * One window (offset, limit) of a search with the total count: for views that jump to any position
 * (a virtually scrolled table) rather than page forward with tokens. Same filter and order_by
 * grammar and errors as `searchRunsInMemory`.
 */
export function searchRunWindowInMemory(runs: readonly Run[], options: RunWindowOptions = {}): RunWindow {
  const { filter, orderBy, offset = 0, limit = SEARCH_MAX_RESULTS_DEFAULT, parent } = options;
  if (!Number.isInteger(offset) || offset < 0) throw new InvalidArgumentError('offset', offset, 'it must be a non-negative integer');
  if (!(limit === Infinity || (Number.isInteger(limit) && limit >= 0))) throw new InvalidArgumentError('limit', limit, 'it must be a non-negative integer');
  const predicate = compileFilter(filter ?? '');
  const keys = parseOrderBy(orderBy);
  let matches = runs.filter(predicate);
  const childCounts = new Map<string, number>();
  if (parent !== undefined) {
    const ids = new Set(matches.map((r) => r.info.run_id));
    const parents = new Map<string, string>();
    for (const r of matches) {
      const p = parentOf(r);
      if (p !== undefined && ids.has(p) && p !== r.info.run_id) {
        parents.set(r.info.run_id, p);
        childCounts.set(p, (childCounts.get(p) ?? 0) + 1);
      }
    }
    matches = matches.filter((r) => (parent === null ? !parents.has(r.info.run_id) : parents.get(r.info.run_id) === parent));
  }
  const ordered = options.unordered ? matches : sortRuns(matches, keys);
  const window = ordered.slice(offset, limit === Infinity ? undefined : offset + limit);
  if (window.length === ordered.length) return { runs: window, total: ordered.length, childCounts };
  const counts = new Map<string, number>();
  for (const r of window) {
    const n = childCounts.get(r.info.run_id);
    if (n) counts.set(r.info.run_id, n);
  }
  return { runs: window, total: ordered.length, childCounts: counts };
}
