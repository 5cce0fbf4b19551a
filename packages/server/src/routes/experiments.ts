import { resolve } from 'node:path';
import { searchExperimentList } from '@git-ml/tracking';
import type { AddRoute, ServerContext } from '../context.js';
import { ApiError, invalidParameter, notFound } from '../errors.js';
import type { Fields } from '../request-fields.js';
import { experimentView } from '../views.js';

const VIEW_TYPES: Record<string, 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL'> = { '1': 'ACTIVE_ONLY', '2': 'DELETED_ONLY', '3': 'ALL', ACTIVE_ONLY: 'ACTIVE_ONLY', DELETED_ONLY: 'DELETED_ONLY', ALL: 'ALL' };

/** MLflow's ViewType from a request (`1`/`ACTIVE_ONLY`, `2`/`DELETED_ONLY`, `3`/`ALL`). */
export function viewType(f: Fields, name: string): 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL' {
  const v = f.body[name];
  if (v === undefined || v === null || v === '') return 'ACTIVE_ONLY';
  const t = VIEW_TYPES[String(v)];
  if (!t) throw f.invalid(name);
  return t;
}

function getExperiment(ctx: ServerContext, id: string) {
  try {
    return ctx.client.getExperiment(id);
  } catch (err) {
    if ((err as { code?: string }).code === 'RESOURCE_DOES_NOT_EXIST') throw notFound(`No Experiment with id=${id} exists`);
    throw err;
  }
}

/** A local artifact location is made absolute against the server's directory, as MLflow does. */
function artifactLocation(loc: string | undefined): string | undefined {
  if (!loc) return undefined;
  if (loc.includes('#') || loc.includes(';')) throw invalidParameter("'artifact_location' URL can't include fragments or params.");
  if (/^[a-z][a-z0-9+.-]*:/i.test(loc)) return loc;
  return resolve(loc);
}

export function experimentRoutes(add: AddRoute): void {
  add(['POST'], '/experiments/create', (f, ctx) => {
    const name = f.string('name', true)!;
    const loc = f.string('artifact_location');
    const tags = f.keyValues('tags');
    const existing = ctx.client.getExperimentByName(name);
    if (existing) throw new ApiError('RESOURCE_ALREADY_EXISTS', `Experiment(name=${name}) already exists (id ${existing.experiment_id}${existing.lifecycle_stage === 'deleted' ? ', deleted: restore it or pick another name' : ''}).`);
    const id = ctx.client.createExperiment(name, { artifactLocation: artifactLocation(loc), tags: Object.fromEntries(tags.map((t) => [t.key, t.value])) });
    return { experiment_id: id };
  });

  add(['GET'], '/experiments/get', (f, ctx) => ({ experiment: experimentView(getExperiment(ctx, f.string('experiment_id', true)!), ctx.locations) }));

  add(['GET'], '/experiments/get-by-name', (f, ctx) => {
    const name = f.string('experiment_name', true)!;
    const exp = ctx.client.getExperimentByName(name);
    if (!exp) throw notFound(`Could not find experiment with name '${name}'`);
    return { experiment: experimentView(exp, ctx.locations) };
  });

  add(['GET', 'POST'], '/experiments/search', (f, ctx) => {
    const maxResults = f.int('max_results') ?? 1000;
    if (maxResults < 1 || maxResults > 50_000) throw invalidParameter(`Invalid value ${maxResults} for parameter 'max_results' supplied. It must be at most 50000.`);
    const all = ctx.client.searchExperiments({ viewType: viewType(f, 'view_type'), maxResults: Number.MAX_SAFE_INTEGER });
    const page = searchExperimentList(all, { filter: f.string('filter'), orderBy: f.strings('order_by'), maxResults, pageToken: f.string('page_token') });
    return { experiments: page.experiments.map((e) => experimentView(e, ctx.locations)), ...(page.next ? { next_page_token: page.next } : {}) };
  }, { repeated: ['order_by'] });

  add(['POST'], '/experiments/update', (f, ctx) => {
    const id = f.string('experiment_id', true)!;
    const newName = f.string('new_name', true)!;
    getExperiment(ctx, id);
    ctx.client.renameExperiment(id, newName);
    return {};
  });

  add(['POST'], '/experiments/delete', (f, ctx) => {
    const id = f.string('experiment_id', true)!;
    getExperiment(ctx, id);
    ctx.client.deleteExperiment(id);
    return {};
  });

  add(['POST'], '/experiments/restore', (f, ctx) => {
    const id = f.string('experiment_id', true)!;
    getExperiment(ctx, id);
    ctx.client.restoreExperiment(id);
    return {};
  });

  add(['POST'], '/experiments/set-experiment-tag', (f, ctx) => {
    const id = f.string('experiment_id', true)!;
    const key = f.string('key', true)!;
    const value = f.string('value') ?? '';
    getExperiment(ctx, id);
    ctx.client.setExperimentTag(id, key, value);
    return {};
  });
}
