import type { RegistryClient } from '@git-ml/registry';
import { NotFoundError, type MlClient } from '@git-ml/tracking';
import { GitMlError } from '@git-ml/gitstore';
import type { ImportProgress, ImportSummary } from './import-mlruns.js';
import { artifactPathOf, modelDirs, readModel, type SourceModel } from './mlruns/read-registry.js';

function message(err: unknown): string {
  if (err instanceof GitMlError) return err.message;
  throw err;
}

/**
 * Imports `models/`: registered models with description and tags, versions (same numbers, same
 * source run and path, description, tags; deleted ones created and marked deleted so numbers stay
 * MLflow's), aliases. A version that cannot keep its number stops that model's later versions, so
 * `models:/name/N` never names another model here than in MLflow. `onlyRuns`: with --experiment,
 * versions of runs outside the selection are left out.
 */
export async function importRegistry(
  client: MlClient,
  registry: RegistryClient,
  modelsRoot: string,
  onlyRuns: Set<string> | null,
  s: ImportSummary,
  onProgress?: (p: ImportProgress) => void,
): Promise<void> {
  const dirs = modelDirs(modelsRoot);
  let done = 0;
  for (const dir of dirs) {
    let model: SourceModel;
    try {
      model = readModel(dir);
    } catch (err) {
      s.skipped.push({ path: dir, reason: `registered model skipped: ${message(err)}` });
      continue;
    }
    if (onlyRuns && !model.versions.some((v) => v.run_id && onlyRuns.has(v.run_id))) continue;
    try {
      importModel(client, registry, model, onlyRuns, s);
    } catch (err) {
      s.skipped.push({ path: dir, reason: `registered model '${model.name}' partly imported: ${message(err)}` });
    }
    onProgress?.({ phase: 'models', done: ++done, total: dirs.length });
  }
}

function importModel(client: MlClient, registry: RegistryClient, model: SourceModel, onlyRuns: Set<string> | null, s: ImportSummary): void {
  let here;
  try {
    here = registry.getRegisteredModel(model.name);
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
  let changed = false;
  if (!here) {
    registry.createRegisteredModel(model.name, { description: model.description, tags: model.tags });
    s.models.created++;
  } else {
    if (here.description !== model.description && model.description) {
      registry.updateRegisteredModel(model.name, { description: model.description });
      changed = true;
    }
    for (const [k, v] of Object.entries(model.tags)) {
      if (here.tags.find((t) => t.key === k)?.value !== v) {
        registry.setRegisteredModelTag(model.name, k, v);
        changed = true;
      }
    }
  }
  const known = new Map(registry.snapshot(model.name).versions.map((v) => [v.record.version, v.record]));
  for (const v of model.versions) {
    const have = known.get(v.version);
    if (have) {
      if (have.run_id !== v.run_id) {
        s.skipped.push({ path: v.dir, reason: `version ${v.version} of '${model.name}' is of run ${have.run_id} here, not ${v.run_id}; left as it is` });
        continue;
      }
      if (v.deleted) {
        s.versions.unchanged++;
        continue;
      }
      let live;
      try {
        live = registry.getModelVersion(model.name, v.version);
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
        s.versions.unchanged++; // deleted here: a later change, kept
        continue;
      }
      let vChanged = false;
      if (live.description !== v.description && v.description) {
        registry.updateModelVersion(model.name, v.version, { description: v.description });
        vChanged = true;
      }
      for (const [k, val] of Object.entries(v.tags)) {
        if (live.tags.find((t) => t.key === k)?.value !== val) {
          registry.setModelVersionTag(model.name, v.version, k, val);
          vChanged = true;
        }
      }
      s.versions[vChanged ? 'updated' : 'unchanged']++;
      changed ||= vChanged;
      continue;
    }
    const path = artifactPathOf(v);
    const why =
      onlyRuns && v.run_id && !onlyRuns.has(v.run_id)
        ? `its run ${v.run_id} is not in the selected experiments`
        : !v.run_id || path === null
          ? `its source '${v.source}' is not an artifact of a run (git-ml versions point at a run's files)`
          : null;
    let failed = why;
    if (!failed) {
      try {
        client.getRun(v.run_id!);
        const created = registry.createModelVersion(model.name, `runs:/${v.run_id}/${path}`, undefined, { description: v.description, tags: v.tags });
        if (Number(created.version) !== v.version) {
          // cannot happen unless the number was taken meanwhile; say so rather than hide it
          s.warnings.push(`${v.dir}: registered as version ${created.version} of '${model.name}', not ${v.version}`);
        }
        if (v.deleted) registry.deleteModelVersion(model.name, created.version);
        s.versions.created++;
        changed = true;
        if (v.current_stage !== 'None' && !v.deleted) {
          s.warnings.push(`${v.dir}: stage '${v.current_stage}' of version ${v.version} not kept (git-ml has aliases, not stages); set one with \`git-ml models alias set\``);
        }
        continue;
      } catch (err) {
        failed = message(err);
      }
    }
    const later = model.versions.filter((x) => x.version > v.version).map((x) => x.version);
    s.skipped.push({
      path: v.dir,
      reason: `version ${v.version} of '${model.name}' skipped: ${failed}${later.length ? `; versions ${later.join(', ')} also skipped so that numbers stay MLflow's` : ''}`,
    });
    for (const n of later) s.skipped.push({ path: `${model.dir}/version-${n}`, reason: `skipped: version ${v.version} before it could not be imported` });
    break;
  }
  const current = registry.getRegisteredModel(model.name).aliases ?? [];
  const wantedAliases: Record<string, string> = {};
  for (const [alias, version] of Object.entries(model.aliases)) {
    if (!current.some((a: { alias: string; version: string }) => a.alias === alias && String(a.version) === version)) wantedAliases[alias] = version;
  }
  if (Object.keys(wantedAliases).length > 0) {
    try {
      registry.setRegisteredModelAliases(model.name, wantedAliases);
      changed = true;
    } catch (err) {
      s.skipped.push({ path: `${model.dir}/aliases`, reason: `aliases ${Object.keys(wantedAliases).join(', ')} of '${model.name}' skipped: ${message(err)}` });
    }
  }
  if (here) s.models[changed ? 'updated' : 'unchanged']++;
}
