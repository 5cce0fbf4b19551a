import { GitMlError, parseFilter, parseOrderBy, type FilterNode, type Run } from '@git-ml/tracking';
import { formatNumber, formatTime } from '../output/format.js';

/** A run value shown as a column: what `metrics.loss`, `params.lr`, `tags.team` or `attributes.user_id` names. */
export interface ColumnKey {
  entity: 'metric' | 'param' | 'tag' | 'attribute';
  key: string;
}

const same = (a: ColumnKey, b: ColumnKey) => a.entity === b.entity && a.key === b.key;

/** Keys that need quoting in the search grammar are shown the way a filter spells them: metrics.`f1 score`. */
export function columnHeader(c: ColumnKey): string {
  if (c.entity === 'attribute') return c.key;
  const prefix = { metric: 'metrics', param: 'params', tag: 'tags' }[c.entity];
  return /^[\w.]+$/.test(c.key) ? `${prefix}.${c.key}` : `${prefix}.\`${c.key}\``;
}

/** The cell of `run` under `c`: metrics as short numbers, times as local time, '' when the run lacks it. */
export function columnValue(run: Run, c: ColumnKey): string {
  switch (c.entity) {
    case 'metric': {
      const m = run.data.metrics.find((x) => x.key === c.key);
      return m ? formatNumber(m.value) : '';
    }
    case 'param':
      return run.data.params.find((x) => x.key === c.key)?.value ?? '';
    case 'tag':
      return run.data.tags.find((x) => x.key === c.key)?.value ?? '';
    case 'attribute': {
      const v = (run.info as unknown as Record<string, unknown>)[c.key];
      if (c.key === 'start_time' || c.key === 'end_time') return typeof v === 'number' ? formatTime(v) : '-';
      return v === null || v === undefined ? '' : String(v);
    }
  }
}

/** Splits `--columns` at commas outside quotes and backticks (keys may contain commas). */
function splitColumns(text: string): { part: string; at: number }[] {
  const parts: { part: string; at: number }[] = [];
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '`' || c === '"' || c === "'") quote = c;
    else if (c === ',' || i === text.length) {
      parts.push({ part: text.slice(start, i), at: start });
      start = i + 1;
    }
  }
  return parts;
}

/** The error for a bad `--columns` entry, with the list repeated and a caret under the entry. */
function badColumn(text: string, position: number, reason: string): GitMlError {
  return new GitMlError(
    'INVALID_PARAMETER_VALUE',
    `Invalid --columns at position ${position}: ${reason}. Write a comma-separated list such as params.lr,metrics.loss,tags.team,attributes.user_id.\n  ${text}\n  ${' '.repeat(position)}^`,
    { field: 'columns', position },
  );
}

/**
 * `--columns` as keys, identifiers spelled as in filters and order-by clauses (metrics.loss,
 * params.lr, tags.`a b`, attributes.user_id or user_id). Errors point at the entry that is wrong.
 */
export function parseColumns(text: string): ColumnKey[] {
  const out: ColumnKey[] = [];
  for (const { part, at } of splitColumns(text)) {
    const lead = part.length - part.trimStart().length;
    if (!part.trim()) throw badColumn(text, at, 'an empty entry');
    if (/\s(asc|desc)\s*$/i.test(part) && !/[`"']\s*$/.test(part)) throw badColumn(text, at + lead, 'a column takes no ASC or DESC');
    try {
      const [k] = parseOrderBy([part]);
      if (!out.some((c) => same(c, k))) out.push({ entity: k.entity, key: k.key });
    } catch (err) {
      const position = (err as GitMlError).data?.position;
      if (typeof position !== 'number') throw err;
      throw badColumn(text, at + position, (err as GitMlError).data.reason as string);
    }
  }
  return out;
}

function filterKeys(node: FilterNode, out: ColumnKey[]): void {
  if (node.type === 'and' || node.type === 'or') for (const child of node.children) filterKeys(child, out);
  else if (node.type !== 'all') out.push({ entity: node.entity, key: node.key });
}

/**
 * The keys a table must show: those asked for with --columns, then the sort keys, then the keys the
 * filter compares (so a run's place in the list and its reason to be in it can be seen), each once.
 */
export function requestedColumns(columns: ColumnKey[], orderBy: string[] | undefined, filter: string | undefined): ColumnKey[] {
  const all: ColumnKey[] = [...columns, ...parseOrderBy(orderBy ?? []).map((k) => ({ entity: k.entity, key: k.key }))];
  if (filter) filterKeys(parseFilter(filter), all);
  const out: ColumnKey[] = [];
  for (const c of all) if (!out.some((o) => same(o, c))) out.push(c);
  return out;
}
