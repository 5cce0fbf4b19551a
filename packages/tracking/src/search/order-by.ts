/**
 * `order_by` for run search: parsing clauses and ordering runs the way MLflow does.
 */
import type { Run } from '../model.js';
import { OrderBySyntaxError } from './errors.js';
import { identifierFromToken, type Entity } from './identifiers.js';
import { describeToken, isKeyword, tokenize, type Fail } from './tokenize.js';
import { valueGetter, type RunValue } from './run-values.js';

/** One parsed `order_by` clause. */
export interface OrderKey {
  entity: Entity;
  /** metric/param/tag key or canonical attribute name */
  key: string;
  ascending: boolean;
}

function parseClause(clause: string): OrderKey {
  const fail: Fail = (position, reason) => {
    throw new OrderBySyntaxError(clause, position, reason);
  };
  const tokens = tokenize(clause, fail);
  const id = identifierFromToken(tokens[0], fail);
  let ascending = true;
  let rest = 1;
  if (isKeyword(tokens[1], 'ASC') || isKeyword(tokens[1], 'DESC')) {
    ascending = isKeyword(tokens[1], 'ASC');
    rest = 2;
  }
  const extra = tokens[rest];
  if (extra.kind !== 'end') {
    fail(extra.pos, `expected ASC, DESC or the end of the clause after ${describeToken(tokens[rest - 1])}, found ${describeToken(extra)}`);
  }
  return { entity: id.entity, key: id.key, ascending };
}

/**
 * Parses `order_by` clauses of the form `<identifier> [ASC|DESC]` (ASC by default; identifiers as
 * in filters: ``metrics.`f1 score` DESC``, `params.lr`, `start_time`). Throws
 * {@link OrderBySyntaxError} (code `INVALID_ORDER_BY`) for a malformed clause or, as MLflow's SQL
 * store does, when the same key appears twice.
 */
export function parseOrderBy(clauses: readonly string[] | undefined): OrderKey[] {
  const keys: OrderKey[] = [];
  const seen = new Set<string>();
  for (const clause of clauses ?? []) {
    const key = parseClause(clause);
    const id = `${key.entity}\u0000${key.key}`;
    if (seen.has(id)) throw new OrderBySyntaxError(clause, 0, `order_by names ${key.entity} '${key.key}' more than once`);
    seen.add(id);
    keys.push(key);
  }
  return keys;
}

// Present values first, then NaN, then missing — in both directions, as MLflow's SQL store (a
// CASE column sorted ascending before the value) and its in-memory SearchUtils.sort both do.
function rank(v: RunValue): number {
  if (v === undefined) return 2;
  return typeof v === 'number' && Number.isNaN(v) ? 1 : 0;
}

function compareValues(a: RunValue, b: RunValue, ascending: boolean): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb || ra !== 0) return ra - rb;
  // Mixed types only arise from malformed runs; a fixed numbers-before-strings order keeps the sort total.
  if (typeof a !== typeof b) return typeof a === 'number' ? -1 : 1;
  const cmp = (a as number | string) < (b as number | string) ? -1 : (a as number | string) > (b as number | string) ? 1 : 0;
  return ascending ? cmp : -cmp;
}

/** Newest first, then run_id ascending: MLflow's default order and its final tie-breakers. */
function compareDefault(a: Run, b: Run): number {
  const t = compareValues(a.info.start_time, b.info.start_time, false);
  if (t !== 0) return t;
  return a.info.run_id < b.info.run_id ? -1 : a.info.run_id > b.info.run_id ? 1 : 0;
}

/**
 * A comparator ordering runs by `keys`, then by start_time descending, then run_id ascending
 * (with no keys that is MLflow's default order). Runs missing a sort key come last whether the key
 * is ASC or DESC; NaN metrics come after every number and before missing. Numbers (metrics,
 * start_time, end_time) compare numerically, params, tags and other attributes by UTF-16 code unit.
 */
export function compareRuns(keys: readonly OrderKey[]): (a: Run, b: Run) => number {
  const getters = keys.map((k) => ({ get: valueGetter(k.entity, k.key), ascending: k.ascending }));
  return (a, b) => {
    for (const { get, ascending } of getters) {
      const c = compareValues(get(a), get(b), ascending);
      if (c !== 0) return c;
    }
    return compareDefault(a, b);
  };
}

/**
 * Returns a new array of `runs` in the {@link compareRuns} order, reading each run's sort values
 * once instead of on every comparison.
 */
export function sortRuns(runs: readonly Run[], keys: readonly OrderKey[]): Run[] {
  const getters = keys.map((k) => valueGetter(k.entity, k.key));
  const rows = runs.map((run) => ({ run, values: getters.map((get) => get(run)) }));
  rows.sort((x, y) => {
    for (let i = 0; i < keys.length; i++) {
      const c = compareValues(x.values[i], y.values[i], keys[i].ascending);
      if (c !== 0) return c;
    }
    return compareDefault(x.run, y.run);
  });
  return rows.map((row) => row.run);
}
