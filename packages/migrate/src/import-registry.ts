import { STAGE_TAG, type RegistryClient } from '@git-ml/registry';
import { NotFoundError, type MlClient } from '@git-ml/tracking';
import { BadSourceError } from './errors.js';
import { reason, type ImportProgress, type ImportSummary } from './import.js';
import { artifactPathOf, type Item, type SourceModel, type SourceVersion } from './source.js';

/**
 * Imports registered models with description and tags; versions under their MLflow numbers with
 * source run and path, description, tags, user, creation time and stage (as the version tag
 * `git-ml.stage`, where `git-ml server` keeps stages); versions MLflow lists as deleted are created
 * and marked deleted; aliases; and, last, MLflow's creation and last-updated times of the model and
 * its versions. `onlyRuns`: with --experiment, versions of runs outside the selection are left out.
 */
export async function importRegistry(
  client: MlClient,
  registry: RegistryClient,
  models: Item<SourceModel>[],
  onlyRuns: Set<string> | null,
  s: ImportSummary,
  onProgress?: (p: ImportProgress) => void,
): Promise<void> {
  let done = 0;
  for (const item of models) {
    if ('error' in item) {
      s.skipped.push({ path: item.error instanceof BadSourceError ? item.error.path : item.where, reason: `registered model skipped: ${reason(item.error)}` });
      continue;
    }
    const model = item.value;
    if (onlyRuns && !model.versions.some((v) => v.run_id && onlyRuns.has(v.run_id))) continue;
    try {
      importModel(client, registry, model, onlyRuns, s);
    } catch (err) {
      s.skipped.push({ path: model.where, reason: `registered model '${model.name}' partly imported: ${reason(err)}` });
    }
    onProgress?.({ phase: 'models', done: ++done, total: models.length });
  }
}

/** The version's tags here: MLflow's, plus its stage (None is no tag). */
function tagsOf(v: SourceVersion): Record<string, string> {
  const tags = { ...v.tags };
  delete tags[STAGE_TAG];
  if (!v.deleted && v.current_stage && v.current_stage !== 'None') tags[STAGE_TAG] = v.current_stage;
  return tags;
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
        s.skipped.push({ path: v.where, reason: `version ${v.version} of '${model.name}' is of run ${have.run_id} here, not ${v.run_id}; left as it is` });
        continue;
      }
      const vChanged = !v.deleted && updateVersion(registry, model.name, v);
      s.versions[vChanged ? 'updated' : 'unchanged']++;
      changed ||= vChanged;
      continue;
    }
    const path = artifactPathOf(v);
    let failed =
      onlyRuns && v.run_id && !onlyRuns.has(v.run_id)
        ? `its run ${v.run_id} is not in the selected experiments`
        : !v.run_id || path === null
          ? `its source '${v.source}' is not an artifact of a run (git-ml versions point at a run's files)`
          : null;
    if (!failed) {
      try {
        client.getRun(v.run_id!);
        registry.createModelVersion(model.name, `runs:/${v.run_id}/${path}`, undefined, {
          description: v.description,
          tags: tagsOf(v),
          imported: { version: v.version, user_id: v.user_id, creation_timestamp: v.creation_timestamp },
        });
        if (v.deleted) registry.deleteModelVersion(model.name, v.version);
        s.versions.created++;
        changed = true;
        continue;
      } catch (err) {
        failed = reason(err);
      }
    }
    // numbers are MLflow's whatever is left out, so one version's problem touches no other version
    if (v.deleted) s.warnings.push(`${v.where}: version ${v.version} of '${model.name}', deleted in MLflow, not kept: ${failed}`);
    else s.skipped.push({ path: v.where, reason: `version ${v.version} of '${model.name}' skipped: ${failed}` });
  }
  const current = registry.getRegisteredModel(model.name).aliases ?? [];
  const wantedAliases: Record<string, string> = {};
  for (const [alias, version] of Object.entries(model.aliases)) {
    if (!current.some((a) => a.alias === alias && String(a.version) === version)) wantedAliases[alias] = version;
  }
  if (Object.keys(wantedAliases).length > 0) {
    try {
      registry.setRegisteredModelAliases(model.name, wantedAliases);
      changed = true;
    } catch (err) {
      s.skipped.push({ path: model.where, reason: `aliases ${Object.keys(wantedAliases).join(', ')} of '${model.name}' skipped: ${reason(err)}` });
    }
  }
  // last, so that the writes above (stamped with the time of the import) do not move them again
  const times = {
    creation_timestamp: model.creation_timestamp,
    last_updated_timestamp: model.last_updated_timestamp,
    versions: Object.fromEntries(model.versions.map((v) => [String(v.version), v.last_updated_timestamp])),
  };
  if (registry.importModelTimes(model.name, times)) changed = true;
  if (here) s.models[changed ? 'updated' : 'unchanged']++;
}

/** Brings a live version's description, tags and stage up to MLflow's; true when something changed. */
function updateVersion(registry: RegistryClient, name: string, v: SourceVersion): boolean {
  let live;
  try {
    live = registry.getModelVersion(name, v.version);
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
    return false; // deleted here: a later change, kept
  }
  let changed = false;
  if (live.description !== v.description && v.description) {
    registry.updateModelVersion(name, v.version, { description: v.description });
    changed = true;
  }
  const tags = tagsOf(v);
  for (const [k, val] of Object.entries(tags)) {
    if (live.tags.find((t) => t.key === k)?.value !== val) {
      registry.setModelVersionTag(name, v.version, k, val);
      changed = true;
    }
  }
  // a stage set back to None in MLflow
  if (!(STAGE_TAG in tags) && live.tags.some((t) => t.key === STAGE_TAG)) {
    registry.deleteModelVersionTag(name, v.version, STAGE_TAG);
    changed = true;
  }
  return changed;
}
