/**
 * MLflow's search_experiments over a list of experiments: filter, order_by, paging — with the same
 * LIKE semantics and page tokens (carrying their query) as run search. Used by `MlClient` and by
 * `git-ml server`.
 */
import { InvalidParameterError } from '../errors.js';
import type { Experiment } from '../model.js';
import { compileFilterFor } from './evaluate.js';
import type { SearchSchema } from './identifiers.js';
import { decodePageToken, encodePageToken, queryFingerprint } from './page-token.js';

const invalidParameter = (message: string) => new InvalidParameterError(message, { field: 'filter' });

/** What an experiment filter may name: `name`, `creation_time`, `last_update_time` and `tags.<key>`. */
export const EXPERIMENT_SCHEMA: SearchSchema = {
  subject: 'experiments',
  entities: new Set(['tag']),
  attributes: { name: 'string', creation_time: 'number', last_update_time: 'number' },
  lists: new Set(),
  example: 'name',
};

/**
 * MLflow's experiment filter in run search's grammar (so OR and parentheses work, and errors point
 * at the character): a predicate over experiments.
 */
export function experimentFilter(filter: string): (e: Experiment) => boolean {
  return compileFilterFor<Experiment>(filter, EXPERIMENT_SCHEMA, (entity, key) =>
    entity === 'tag' ? (e) => e.tags.find((t) => t.key === key)?.value : (e) => (e as unknown as Record<string, string | number | undefined>)[key],
  );
}

/** MLflow's search_experiments over a list: filter, order_by (default creation_time DESC), paging. */
export function searchExperiments(all: Experiment[], opts: { filter?: string; orderBy?: string[]; maxResults: number; pageToken?: string }): { experiments: Experiment[]; next?: string } {
  const matches = experimentFilter(opts.filter ?? '');
  const keys = (opts.orderBy ?? []).map((o) => {
    const m = /^\s*(?:attributes?\.|attr\.)?(name|experiment_id|creation_time|last_update_time)\s*(ASC|DESC)?\s*$/i.exec(o);
    if (!m) throw invalidParameter(`Invalid order_by clause '${o}': use name, experiment_id, creation_time or last_update_time, optionally followed by ASC or DESC.`);
    return { key: m[1] as keyof Experiment, desc: (m[2] ?? 'ASC').toUpperCase() === 'DESC' };
  });
  if (!keys.some((k) => k.key === 'creation_time')) keys.push({ key: 'creation_time', desc: true });
  keys.push({ key: 'experiment_id', desc: false });
  const list = all.filter(matches);
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
