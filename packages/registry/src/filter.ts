import { InvalidParameterError } from '@git-ml/tracking';

/** One clause of a registry filter: `name LIKE 'iris%'`, `run_id = '…'`, `tags.team = 'cv'`, `run_id IN ('a', 'b')`. */
export interface Clause {
  field: string;
  op: '=' | '!=' | 'LIKE' | 'ILIKE' | 'IN';
  values: string[];
}

const CLAUSE = /^\s*((?:tags\.)?(?:`[^`]+`|"[^"]+"|[\w.]+))\s*(=|!=|<>|\bLIKE\b|\bILIKE\b|\bIN\b)\s*(.+?)\s*$/i;
const STRING = /^(?:'((?:[^']|'')*)'|"((?:[^"]|"")*)")$/;

/**
 * MLflow's registry filter (search_registered_models / search_model_versions): clauses joined by
 * AND, each comparing `allowed` fields with `=`, `!=`, `LIKE`, `ILIKE` (or `IN` for `run_id`) to a
 * quoted string. Errors name the clause and list the fields that work.
 */
export function parseRegistryFilter(filter: string | undefined, allowed: string[]): Clause[] {
  if (!filter || !filter.trim()) return [];
  const clauses: Clause[] = [];
  for (const part of splitAnd(filter)) {
    const m = CLAUSE.exec(part);
    if (!m) throw bad(filter, part, allowed);
    let field = m[1];
    const unquote = (s: string) => s.replace(/^[`"](.*)[`"]$/, '$1');
    field = field.startsWith('tags.') ? `tags.${unquote(field.slice(5))}` : unquote(field);
    const op = (m[2].toUpperCase() === '<>' ? '!=' : m[2].toUpperCase()) as Clause['op'];
    if (!field.startsWith('tags.') && !allowed.includes(field)) throw bad(filter, part, allowed);
    let values: string[];
    if (op === 'IN') {
      if (field !== 'run_id') throw new InvalidParameterError(`Invalid filter '${filter}': IN works only with run_id.`, { field: 'filter' });
      const inner = /^\((.*)\)$/s.exec(m[3]);
      if (!inner) throw bad(filter, part, allowed);
      values = inner[1].split(',').map((v) => stringValue(v.trim(), filter, part, allowed));
    } else values = [stringValue(m[3], filter, part, allowed)];
    clauses.push({ field, op, values });
  }
  return clauses;
}

function stringValue(text: string, filter: string, part: string, allowed: string[]): string {
  const s = STRING.exec(text);
  if (!s) throw bad(filter, part, allowed);
  return s[1] !== undefined ? s[1].replace(/''/g, "'") : s[2].replace(/""/g, '"');
}

function splitAnd(filter: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quote: string | null = null;
  for (let i = 0; i < filter.length; i++) {
    const c = filter[i];
    if (quote) {
      if (c === quote) quote = null;
      cur += c;
    } else if (c === "'" || c === '"' || c === '`') {
      quote = c;
      cur += c;
    } else if (/\s/.test(c) && /^\s+and\s+/i.test(filter.slice(i))) {
      const m = /^\s+and\s+/i.exec(filter.slice(i))!;
      parts.push(cur);
      cur = '';
      i += m[0].length - 1;
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

function bad(filter: string, part: string, allowed: string[]): InvalidParameterError {
  return new InvalidParameterError(
    `Invalid filter '${filter}' at '${part.trim()}': expected <field> <op> '<text>' with a field of ${[...allowed, 'tags.<key>'].join(', ')} and an op of =, !=, LIKE, ILIKE` +
      ` (clauses joined by AND), e.g. "name LIKE 'iris%'".`,
    { field: 'filter', filter },
  );
}

function likeRegex(pattern: string, flags: string): RegExp {
  let re = '';
  for (const c of pattern) re += c === '%' ? '.*' : c === '_' ? '.' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${re}$`, flags);
}

/** Whether `get(field)` satisfies every clause. A missing tag never matches. */
export function matches(clauses: Clause[], get: (field: string) => string | undefined): boolean {
  return clauses.every((c) => {
    const v = get(c.field);
    if (v === undefined) return false;
    switch (c.op) {
      case '=':
        return v === c.values[0];
      case '!=':
        return v !== c.values[0];
      case 'LIKE':
        return likeRegex(c.values[0], 's').test(v);
      case 'ILIKE':
        return likeRegex(c.values[0], 'is').test(v);
      case 'IN':
        return c.values.includes(v);
    }
  });
}
