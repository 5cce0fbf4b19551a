/**
 * Run search with MLflow's semantics: filter parsing and evaluation, ordering, paging.
 */
export { FilterSyntaxError, InvalidArgumentError, InvalidPageTokenError, OrderBySyntaxError, SearchError } from './errors.js';
export type { AttributeKey, Entity } from './identifiers.js';
export {
  parseFilter,
  type FilterNode,
  type ListComparator,
  type ListComparison,
  type NumericComparator,
  type NumericComparison,
  type StringComparator,
  type StringComparison,
} from './parse-filter.js';
export { compileFilter, compileFilterFor, type RunPredicate, type ValueGetter } from './evaluate.js';
export { RUN_SCHEMA, type SearchSchema } from './identifiers.js';
export { likeToRegExp } from './like.js';
export { compareRuns, parseOrderBy, sortRuns, type OrderKey } from './order-by.js';
export { decodePageToken, encodePageToken, queryFingerprint } from './page-token.js';
export {
  searchRunsInMemory,
  searchRunWindowInMemory,
  type RunWindow,
  type RunWindowOptions,
  SEARCH_MAX_RESULTS_DEFAULT,
  SEARCH_MAX_RESULTS_THRESHOLD,
  type SearchRunsOptions,
  type SearchRunsPage,
} from './search-runs.js';
