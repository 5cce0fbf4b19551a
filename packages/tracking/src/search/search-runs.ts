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
