import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STAGE_TAG, type ModelVersion, type RegisteredModel } from '@git-ml/registry';
import { findRun, type AddRoute, type ServerContext } from '../context.js';
import { ApiError, invalidParameter } from '../errors.js';
import type { Fields } from '../request-fields.js';
import { ingestLocalArtifacts } from './artifacts.js';

// Stages are deprecated upstream; git-ml keeps a version's stage as the version tag STAGE_TAG.
const STAGES: Record<string, string> = { none: 'None', staging: 'Staging', production: 'Production', archived: 'Archived' };

function versionView(v: ModelVersion): ModelVersion {
  const stage = v.tags.find((t) => t.key === STAGE_TAG)?.value;
  return { ...v, current_stage: stage ?? 'None', tags: v.tags.filter((t) => t.key !== STAGE_TAG) };
}

function modelView(m: RegisteredModel): RegisteredModel {
  return { ...m, latest_versions: m.latest_versions.map(versionView) };
}

function tagMap(f: Fields): Record<string, string> {
  return Object.fromEntries(f.keyValues('tags').map((t) => [t.key, t.value]));
}

const invalidSource = (source: string) =>
  invalidParameter(
    `Invalid model version source: '${source}'. If supplying a source as an http, https, local file path, ftp, objectstore, or mlflow-artifacts uri, an absolute path must be provided without relative path references present. Please provide an absolute path.`,
  );

function isLocal(source: string): boolean {
  if (source.startsWith('file:')) {
    const host = /^file:\/\/([^/]*)/.exec(source)?.[1] ?? '';
    if (host && host !== 'localhost') {
      throw new ApiError('INTERNAL_ERROR', `${source} is not a valid remote uri. For remote access on windows, please consider using a different scheme such as SMB (e.g. smb://<hostname>/<path>).`);
    }
    return true;
  }
  return !/^[a-z][a-z0-9+.-]*:/i.test(source);
}

function localPath(source: string): string {
  return posix.resolve(source.startsWith('file:') ? fileURLToPath(source.replace(/^file:\/\/localhost\//, 'file:///')) : source);
}

/**
 * MLflow's source checks (`handlers._validate_source`), then the source as something the registry
 * can locate in git: `runs:/<run>/<path>` when it names a file of the run, else the source as given.
 */
async function registrableSource(ctx: ServerContext, source: string, runId: string | undefined): Promise<string> {
  if (isLocal(source)) {
    const abs = localPath(source);
    if (runId) {
      const run = findRun(ctx, runId);
      const dir = ctx.locations.localDir(ctx.locations.run(ctx.client.getExperiment(run.info.experiment_id), runId));
      if (dir && (abs === dir || abs.startsWith(`${dir}/`))) {
        await ingestLocalArtifacts(ctx, runId);
        return `runs:/${runId}/${abs.slice(dir.length + 1)}`;
      }
    }
    throw invalidParameter(
      `Invalid model version source: '${abs}'. To use a local path as a model version source, the run_id request parameter has to be specified and the local path has to be contained within the artifact directory of the run specified by the run_id.`,
    );
  }
  let decoded = source;
  for (let i = 0; i < 10; i++) {
    let next: string;
    try {
      next = decodeURIComponent(decoded.replace(/\+/g, ' '));
    } catch {
      throw invalidSource(source);
    }
    if (next === decoded) break;
    decoded = next;
  }
  // the path as Python's urlparse sees it: no dot-segment normalization (WHATWG URL would hide `..`)
  const path = decoded.replace(/^[a-z][a-z0-9+.-]*:/i, '').replace(/^\/\/[^/]*/, '').replace(/[?#].*$/s, '').replace(/\/+$/, '').replace(/\/+/g, '/');
  if (path.includes('\0') || (path !== '' && posix.resolve('/', path) !== (path.startsWith('/') ? path : `/${path}`))) throw invalidSource(source);
  const proxied = /^mlflow-artifacts:\/(\d+)\/([0-9a-f]{32})\/artifacts(?:\/(.*))?$/.exec(source.replace(/\/+$/, ''));
  if (proxied && (!runId || runId === proxied[2])) return `runs:/${proxied[2]}/${proxied[3] ?? ''}`;
  return source;
}

function version(f: Fields): string {
  const v = f.body.version;
  if (v === undefined || v === null || v === '') throw f.missing('version');
  if (typeof v !== 'string' && typeof v !== 'number') throw f.invalid('version');
  return String(v);
}

export function registryRoutes(add: AddRoute): void {
  const rm = '/registered-models';
  const mv = '/model-versions';

  add(['POST'], `${rm}/create`, (f, ctx) => {
    const name = f.string('name', true)!;
    return { registered_model: modelView(ctx.registry.createRegisteredModel(name, { description: f.string('description'), tags: tagMap(f) })) };
  });
  add(['GET'], `${rm}/get`, (f, ctx) => ({ registered_model: modelView(ctx.registry.getRegisteredModel(f.string('name', true)!)) }));
  add(['POST'], `${rm}/rename`, (f, ctx) => ({ registered_model: modelView(ctx.registry.renameRegisteredModel(f.string('name', true)!, f.string('new_name', true)!)) }));
  add(['PATCH'], `${rm}/update`, (f, ctx) => ({ registered_model: modelView(ctx.registry.updateRegisteredModel(f.string('name', true)!, { description: f.string('description') ?? '' })) }));
  add(['DELETE'], `${rm}/delete`, (f, ctx) => {
    ctx.registry.deleteRegisteredModel(f.string('name', true)!);
    return {};
  });
  add(['GET', 'POST'], `${rm}/search`, (f, ctx) => {
    const r = ctx.registry.searchRegisteredModels({ filter: f.string('filter') || undefined, orderBy: f.strings('order_by'), maxResults: f.int('max_results') || undefined, pageToken: f.string('page_token') || undefined });
    return { registered_models: r.registered_models.map(modelView), ...(r.nextPageToken ? { next_page_token: r.nextPageToken } : {}) };
  }, { repeated: ['order_by'] });
  add(['GET', 'POST'], `${rm}/get-latest-versions`, (f, ctx) => {
    const name = f.string('name', true)!;
    const stages = (f.strings('stages') ?? []).map((s) => STAGES[s.toLowerCase()] ?? s);
    if (stages.length === 0) return { model_versions: ctx.registry.getLatestVersions(name).map(versionView) };
    const all = ctx.registry.searchModelVersions({ filter: `name = '${name.replace(/'/g, "\\'")}'`, maxResults: 50_000 }).model_versions.map(versionView);
    const latest = new Map<string, ModelVersion>();
    for (const v of all) {
      if (!stages.includes(v.current_stage)) continue;
      const cur = latest.get(v.current_stage);
      if (!cur || Number(v.version) > Number(cur.version)) latest.set(v.current_stage, v);
    }
    return { model_versions: [...latest.values()] };
  }, { repeated: ['stages'] });
  add(['POST'], `${rm}/set-tag`, (f, ctx) => {
    ctx.registry.setRegisteredModelTag(f.string('name', true)!, f.string('key', true)!, f.string('value') ?? '');
    return {};
  });
  add(['DELETE'], `${rm}/delete-tag`, (f, ctx) => {
    ctx.registry.deleteRegisteredModelTag(f.string('name', true)!, f.string('key', true)!);
    return {};
  });
  add(['POST'], `${rm}/alias`, (f, ctx) => {
    ctx.registry.setRegisteredModelAlias(f.string('name', true)!, f.string('alias', true)!, version(f));
    return {};
  });
  add(['DELETE'], `${rm}/alias`, (f, ctx) => {
    ctx.registry.deleteRegisteredModelAlias(f.string('name', true)!, f.string('alias', true)!);
    return {};
  });
  add(['GET'], `${rm}/alias`, (f, ctx) => ({ model_version: versionView(ctx.registry.getModelVersionByAlias(f.string('name', true)!, f.string('alias', true)!)) }));

  add(['POST'], `${mv}/create`, async (f, ctx) => {
    const name = f.string('name', true)!;
    const source = f.string('source', true)!;
    const runId = f.string('run_id') || undefined;
    const where = await registrableSource(ctx, source, runId);
    if (runId) findRun(ctx, runId);
    const v = ctx.registry.createModelVersion(name, where, runId, { description: f.string('description'), tags: tagMap(f), anySource: true });
    return { model_version: versionView(where === source ? v : { ...v, source }) };
  });
  add(['GET'], `${mv}/get`, (f, ctx) => ({ model_version: versionView(ctx.registry.getModelVersion(f.string('name', true)!, version(f))) }));
  add(['PATCH'], `${mv}/update`, (f, ctx) => ({ model_version: versionView(ctx.registry.updateModelVersion(f.string('name', true)!, version(f), { description: f.string('description') ?? '' })) }));
  add(['DELETE'], `${mv}/delete`, (f, ctx) => {
    ctx.registry.deleteModelVersion(f.string('name', true)!, version(f));
    return {};
  });
  add(['GET', 'POST'], `${mv}/search`, (f, ctx) => {
    const r = ctx.registry.searchModelVersions({ filter: f.string('filter') || undefined, orderBy: f.strings('order_by'), maxResults: f.int('max_results') || undefined, pageToken: f.string('page_token') || undefined });
    return { model_versions: r.model_versions.map(versionView), ...(r.nextPageToken ? { next_page_token: r.nextPageToken } : {}) };
  }, { repeated: ['order_by'] });
  add(['GET'], `${mv}/get-download-uri`, (f, ctx) => {
    const r = ctx.registry.resolve(`models:/${f.string('name', true)!}/${version(f)}`);
    const run = findRun(ctx, r.run_id);
    const root = ctx.locations.run(ctx.client.getExperiment(run.info.experiment_id), r.run_id);
    const local = ctx.locations.localDir(root);
    // a client reading a local root would miss files that only git holds; send it through the proxy
    const base = local ? `mlflow-artifacts:/${run.info.experiment_id}/${r.run_id}/artifacts` : root;
    return { artifact_uri: r.artifact_path ? `${base}/${r.artifact_path}` : base };
  });
  add(['POST'], `${mv}/transition-stage`, (f, ctx) => {
    const name = f.string('name', true)!;
    const v = version(f);
    const raw = f.string('stage', true)!;
    const stage = STAGES[raw.toLowerCase()];
    if (!stage) throw invalidParameter(`Invalid Model Version stage: ${raw}. Value must be one of None, Staging, Production, Archived.`);
    ctx.registry.getModelVersion(name, v);
    if (f.bool('archive_existing_versions') && (stage === 'Staging' || stage === 'Production')) {
      for (const other of ctx.registry.searchModelVersions({ filter: `name = '${name.replace(/'/g, "\\'")}'`, maxResults: 50_000 }).model_versions.map(versionView)) {
        if (other.version !== v && other.current_stage === stage) ctx.registry.setModelVersionTag(name, other.version, STAGE_TAG, 'Archived');
      }
    }
    ctx.registry.setModelVersionTag(name, v, STAGE_TAG, stage);
    return { model_version: versionView(ctx.registry.getModelVersion(name, v)) };
  });
  add(['POST'], `${mv}/set-tag`, (f, ctx) => {
    ctx.registry.setModelVersionTag(f.string('name', true)!, version(f), f.string('key', true)!, f.string('value') ?? '');
    return {};
  });
  add(['DELETE'], `${mv}/delete-tag`, (f, ctx) => {
    ctx.registry.deleteModelVersionTag(f.string('name', true)!, version(f), f.string('key', true)!);
    return {};
  });
}
