/**
 * MLflow's search_experiments over a list of experiments: filter, order_by, paging — with the same
 * LIKE semantics and page tokens (carrying their query) as run search. Used by `MlClient` and by
 * `git-ml server`.
 */
import { InvalidParameterError } from '../errors.js';
import type { Experiment } from '../model.js';
import { likeToRegExp } from './like.js';
import { decodePageToken, encodePageToken, queryFingerprint } from './page-token.js';

const invalidParameter = (message: string) => new InvalidParameterError(message, { field: 'filter' });

interface Clause {
  kind: 'attr' | 'tag';
  key: string;
  op: string;
  value: string | number;
}

const CLAUSE = /^\s*(?:(attributes?|attr|tags?)\.)?(`[^`]+`|"[^"]+"|[\w.]+)\s*(=|!=|>=|<=|>|<|LIKE|ILIKE)\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|-?\d+)\s*$/i;
const ATTRS = new Set(['name', 'creation_time', 'last_update_time']);

/** MLflow's experiment filter: `name`, `creation_time`, `last_update_time` and `tags.<key>` clauses joined by AND. */
export function parseExperimentFilter(filter: string): Clause[] {
  if (!filter.trim()) return [];
  return filter.split(/\s+AND\s+/i).map((part) => {
    const m = CLAUSE.exec(part);
    if (!m) throw invalidParameter(`Invalid experiment filter '${filter}' near '${part.trim()}': expected e.g. name = 'x', name LIKE 'a%', tags.team = 'y' or creation_time > 1700000000000.`);
    const kind = m[1] && /^tag/i.test(m[1]) ? 'tag' : 'attr';
    const key = m[2].replace(/^[`"]|[`"]$/g, '');
    if (kind === 'attr' && !ATTRS.has(key)) throw invalidParameter(`Invalid attribute key '${key}' in experiment filter: use name, creation_time or last_update_time.`);
    const raw = m[4];
    const value = /^-?\d+$/.test(raw) ? Number(raw) : raw.slice(1, -1).replace(/\\(.)/g, '$1');
    return { kind, key, op: m[3].toUpperCase(), value };
  });
}

function like(pattern: string, s: string, ci: boolean): boolean {
  return likeToRegExp(pattern, ci).test(s);
}

function matches(e: Experiment, c: Clause): boolean {
  const v = c.kind === 'tag' ? e.tags.find((t) => t.key === c.key)?.value : (e as unknown as Record<string, string | number>)[c.key];
  if (v === undefined) return false;
  switch (c.op) {
    case '=':
      return v === c.value;
    case '!=':
      return v !== c.value;
    case 'LIKE':
      return typeof v === 'string' && like(String(c.value), v, false);
    case 'ILIKE':
      return typeof v === 'string' && like(String(c.value), v, true);
    case '>':
      return v > c.value;
    case '>=':
      return v >= c.value;
    case '<':
      return v < c.value;
    default:
      return v <= c.value;
  }
}

/** MLflow's search_experiments over a list: filter, order_by (default creation_time DESC), paging. */
export function searchExperiments(all: Experiment[], opts: { filter?: string; orderBy?: string[]; maxResults: number; pageToken?: string }): { experiments: Experiment[]; next?: string } {
  const clauses = parseExperimentFilter(opts.filter ?? '');
  const keys = (opts.orderBy ?? []).map((o) => {
    const m = /^\s*(?:attributes?\.|attr\.)?(name|experiment_id|creation_time|last_update_time)\s*(ASC|DESC)?\s*$/i.exec(o);
    if (!m) throw invalidParameter(`Invalid order_by clause '${o}': use name, experiment_id, creation_time or last_update_time, optionally followed by ASC or DESC.`);
    return { key: m[1] as keyof Experiment, desc: (m[2] ?? 'ASC').toUpperCase() === 'DESC' };
  });
  if (!keys.some((k) => k.key === 'creation_time')) keys.push({ key: 'creation_time', desc: true });
  keys.push({ key: 'experiment_id', desc: false });
  const list = all.filter((e) => clauses.every((c) => matches(e, c)));
  list.sort((a, b) => {
    for (const { key, desc } of keys) {
      const x = a[key] as string | number;
      const y = b[key] as string | number;
      if (x !== y) return (x < y ? -1 : 1) * (desc ? -1 : 1);
    }
    return 0;
  });
  const fingerprint = queryFingerprint(opts.filter, opts.orderBy, 'experiments');
  const offset = decodePageToken(opts.pageToken ?? '', fingerprint);
  const experiments = list.slice(offset, offset + opts.maxResults);
  const end = offset + opts.maxResults;
  return end < list.length ? { experiments, next: encodePageToken(end, fingerprint) } : { experiments };
}
