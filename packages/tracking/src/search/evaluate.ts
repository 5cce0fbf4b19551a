/**
 * Turns a parsed filter into a predicate over runs. All per-filter work (parsing, LIKE patterns,
 * IN sets, key lookups) happens once here, so the predicate itself only reads and compares.
 */
import type { Run } from '../model.js';
import { likeToRegExp } from './like.js';
import { parseFilter, type FilterNode, type NumericComparator, type StringComparator } from './parse-filter.js';
import { valueGetter } from './run-values.js';

/** A compiled filter: true when the run matches. */
export type RunPredicate = (run: Run) => boolean;

const matchAll: RunPredicate = () => true;

// Plain IEEE comparisons, as MLflow's in-memory SearchUtils.filter (the FileStore path) does with
// Python floats: a NaN metric satisfies only `!=`, and ±Infinity orders past every finite number.
// MLflow's SQL store differs by accident of storage — it saves NaN as 0 and ±Infinity as
// ±1.7976931348623157e308, so there `metrics.x = 0` matches NaN; we do not copy that.
function numericTest(comparator: NumericComparator, target: number): (value: number) => boolean {
  switch (comparator) {
    case '=':
      return (v) => v === target;
    case '!=':
      return (v) => v !== target;
    case '>':
      return (v) => v > target;
    case '>=':
      return (v) => v >= target;
    case '<':
      return (v) => v < target;
    case '<=':
      return (v) => v <= target;
  }
}

function stringTest(comparator: StringComparator, target: string): (value: string) => boolean {
  switch (comparator) {
    case '=':
      return (v) => v === target;
    case '!=':
      return (v) => v !== target;
    case 'LIKE':
    case 'ILIKE': {
      const re = likeToRegExp(target, comparator === 'ILIKE');
      return (v) => re.test(v);
    }
  }
}

function allOf(parts: RunPredicate[]): RunPredicate {
  if (parts.length === 2) {
    const [a, b] = parts;
    return (run) => a(run) && b(run);
  }
  return (run) => {
    for (let i = 0; i < parts.length; i++) if (!parts[i](run)) return false;
    return true;
  };
}

function anyOf(parts: RunPredicate[]): RunPredicate {
  if (parts.length === 2) {
    const [a, b] = parts;
    return (run) => a(run) || b(run);
  }
  return (run) => {
    for (let i = 0; i < parts.length; i++) if (parts[i](run)) return true;
    return false;
  };
}

function compileNode(node: FilterNode): RunPredicate {
  switch (node.type) {
    case 'all':
      return matchAll;
    case 'and':
      return allOf(node.children.map(compileNode));
    case 'or':
      return anyOf(node.children.map(compileNode));
    case 'numeric': {
      const get = valueGetter(node.entity, node.key);
      const test = numericTest(node.comparator, node.value);
      // A run without the key never matches, not even `!=` (MLflow: "lhs is None -> False").
      return (run) => {
        const v = get(run);
        return typeof v === 'number' && test(v);
      };
    }
    case 'string': {
      const get = valueGetter(node.entity, node.key);
      const test = stringTest(node.comparator, node.value);
      return (run) => {
        const v = get(run);
        return typeof v === 'string' && test(v);
      };
    }
    case 'list': {
      const ids = new Set(node.values);
      return node.comparator === 'IN' ? (run) => ids.has(run.info.run_id) : (run) => !ids.has(run.info.run_id);
    }
  }
}

/**
 * Compiles a filter (a string, parsed here, or a tree from {@link parseFilter}) into a predicate to
 * run over many runs. Metric comparisons use the run's latest value; a run lacking the compared key
 * never matches, even for `!=`. NaN satisfies only `!=`. LIKE is case-sensitive, ILIKE is not.
 * Throws {@link FilterSyntaxError} for an invalid filter string.
 */
export function compileFilter(filter: FilterNode | string): RunPredicate {
  return compileNode(typeof filter === 'string' ? parseFilter(filter) : filter);
}
