import { realpathSync } from 'node:fs';
import { GitStore } from '@git-ml/gitstore';
import { DEFAULT_EXPERIMENT_ID, LIMITS, snapshotTags, snapshotWarning, type MlClient, type Run } from '@git-ml/tracking';
import type { EnvManager } from '../env/environment.js';
import type { ProjectSource } from '../source/fetch-source.js';
import type { ResolvedParameters } from './parameters.js';
import { PROJECT_TAGS as T } from './tags.js';
import { gitOf } from '@git-ml/tracking/internal';

/** The experiment a project run goes to: the id, else the name (created if new), else MLFLOW_EXPERIMENT_ID / _NAME, else Default. */
export function resolveExperimentId(client: MlClient, o: { experimentId?: string; experimentName?: string }): string {
  if (o.experimentId) return client.getExperiment(o.experimentId).experiment_id;
  const name = o.experimentName ?? process.env.MLFLOW_EXPERIMENT_NAME;
  if (name) return client.getExperimentByName(name)?.experiment_id ?? client.createExperiment(name);
  return process.env.MLFLOW_EXPERIMENT_ID || DEFAULT_EXPERIMENT_ID;
}

function same(a: string | null, b: string | null): boolean {
  if (!a || !b) return false;
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

/**
 * The `mlflow.source.*` tags of a project whose code is not the tracking repository's working
 * tree: a checkout's commit, or HEAD (a snapshot when dirty) of the other repository it lives in.
 */
function foreignSourceTags(src: ProjectSource): Record<string, string> {
  const tags: Record<string, string> = {};
  let { commit, branch } = src;
  if (src.inPlace && src.repoRoot) {
    const repo = GitStore.open(src.repoRoot);
    const snap = repo.snapshotSource();
    commit = snap.commit;
    branch = repo.head().branch;
    if (snap.head && snap.head !== snap.commit) tags[T.sourceHead] = snap.head;
    if (snap.dirty !== null) tags[T.sourceDirty] = String(snap.dirty);
    Object.assign(tags, snapshotTags(snap));
    const warning = snapshotWarning(snap);
    if (warning) process.stderr.write(`${warning}\n`);
  }
  if (commit) tags[T.commit] = commit;
  if (branch) tags[T.branch] = branch;
  if (src.repoUrl) tags[T.repoUrl] = src.repoUrl;
  if (src.repoPath) tags[T.repoPath] = src.repoPath;
  return tags;
}

export interface ProjectRunRequest {
  experimentId: string;
  runName?: string;
  source: ProjectSource;
  /** source tags to record instead of deriving them (a reproduction copies the original's) */
  sourceTags?: Record<string, string>;
  entryPoint: string;
  manager: EnvManager;
  image?: string;
  /** the parameters as given (paths made absolute), recorded for reproduction */
  given: Record<string, string>;
  params: ResolvedParameters;
  tags?: Record<string, string>;
}

/**
 * Creates the tracking run of a project launch, logs every parameter and the system tags, and
 * folds it into a commit, so the child process (and `git-ml runs log` in it) finds the run.
 */
export function createProjectRun(client: MlClient, r: ProjectRunRequest): Run {
  const src = r.source;
  const inTrackingTree = !r.sourceTags && src.inPlace && same(src.repoRoot, gitOf(client).workTree);
  const sourceName = src.inPlace ? src.dir : src.uri;
  const tags: Record<string, string> = {
    ...(inTrackingTree ? {} : (r.sourceTags ?? foreignSourceTags(src))),
    [T.sourceType]: 'PROJECT',
    [T.sourceName]: r.sourceTags?.[T.sourceName] ?? sourceName,
    [T.entryPoint]: r.entryPoint,
    [T.env]: r.manager,
    [T.backend]: 'local',
    [T.projectDir]: src.subdirectory,
    ...(r.image ? { [T.dockerImage]: r.image } : {}),
  };
  const given = JSON.stringify(r.given);
  if (given.length <= LIMITS.tagValue) tags[T.projectParams] = given;
  const run = client.createRun(r.experimentId, {
    runName: r.runName,
    tags: { ...tags, ...r.tags },
    recordSource: inTrackingTree,
    sourceType: 'PROJECT',
    sourceName,
  });
  const all = Object.entries({ ...r.params.declared, ...r.params.extra });
  for (let i = 0; i < all.length; i += LIMITS.batchParams) client.logBatch(run.info.run_id, { params: Object.fromEntries(all.slice(i, i + LIMITS.batchParams)) });
  client.flush();
  return run;
}
