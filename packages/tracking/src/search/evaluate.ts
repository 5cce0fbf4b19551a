/**
 * Turns a parsed filter into a predicate over runs. All per-filter work (parsing, LIKE patterns,
 * IN sets, key lookups) happens once here, so the predicate itself only reads and compares.
 */
import type { Run } from '../model.js';
import type { Entity, SearchSchema } from './identifiers.js';
import { likeToRegExp } from './like.js';
import { parseFilter, type FilterNode, type NumericComparator, type StringComparator } from './parse-filter.js';
import { valueGetter, type RunValue } from './run-values.js';

/** A compiled filter: true when the run matches. */
export type RunPredicate = (run: Run) => boolean;

/** How to read `entity`/`key` from one item searched (a run, an experiment, a model version). */
export type ValueGetter<T> = (entity: Entity, key: string) => (item: T) => RunValue;

const matchAll = () => true;

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

function allOf<T>(parts: ((x: T) => boolean)[]): (x: T) => boolean {
  if (parts.length === 2) {
    const [a, b] = parts;
    return (run) => a(run) && b(run);
  }
  return (run) => {
    for (let i = 0; i < parts.length; i++) if (!parts[i](run)) return false;
    return true;
  };
}

function anyOf<T>(parts: ((x: T) => boolean)[]): (x: T) => boolean {
  if (parts.length === 2) {
    const [a, b] = parts;
    return (run) => a(run) || b(run);
  }
  return (run) => {
    for (let i = 0; i < parts.length; i++) if (parts[i](run)) return true;
    return false;
  };
}

function compileNode<T>(node: FilterNode, valueOf: ValueGetter<T>): (item: T) => boolean {
  switch (node.type) {
    case 'all':
      return matchAll;
    case 'and':
      return allOf(node.children.map((c) => compileNode(c, valueOf)));
    case 'or':
      return anyOf(node.children.map((c) => compileNode(c, valueOf)));
    case 'numeric': {
      const get = valueOf(node.entity, node.key);
      const test = numericTest(node.comparator, node.value);
      // A run without the key never matches, not even `!=` (MLflow: "lhs is None -> False").
      return (run) => {
        const v = get(run);
        return typeof v === 'number' && test(v);
      };
    }
    case 'string': {
      const get = valueOf(node.entity, node.key);
      const test = stringTest(node.comparator, node.value);
      return (run) => {
        const v = get(run);
        return typeof v === 'string' && test(v);
      };
    }
    case 'list': {
      const values = new Set(node.values);
      const get = valueOf(node.entity, node.key);
      const inList = node.comparator === 'IN';
      return (item) => {
        const v = get(item);
        return typeof v === 'string' && values.has(v) === inList;
      };
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
  return compileNode(typeof filter === 'string' ? parseFilter(filter) : filter, valueGetter);
}

/**
 * A predicate over any kind of item searched with the same grammar: `schema` says what a filter may
 * name, `valueOf` how to read it. Throws `FilterSyntaxError` (with position and caret) for bad input.
 */
export function compileFilterFor<T>(filter: FilterNode | string, schema: SearchSchema, valueOf: ValueGetter<T>): (item: T) => boolean {
  return compileNode(typeof filter === 'string' ? parseFilter(filter, schema) : filter, valueOf);
}
