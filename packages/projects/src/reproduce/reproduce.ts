import { MlClient, SNAPSHOT_TAGS, type Run } from '@git-ml/tracking';
import { NotReproducibleError } from '../errors.js';
import type { EnvManager } from '../env/environment.js';
import { parseEnvManager } from '../env/prepare-env.js';
import { PROJECT_TAGS as T } from '../launch/tags.js';
import { textSink } from '../output.js';
import { launchProject, type ProjectRunResult, type RunProjectOptions } from '../run-project.js';
import { loadProject } from '../spec/load-project.js';
import { compareMetrics, type MetricComparison } from './compare-metrics.js';
import { describeLeftOutFiles } from './left-out-files.js';
import { checkoutRunSource } from './run-source.js';
import { gitOf } from '@git-ml/tracking/internal';

export interface ReproduceOptions extends Pick<RunProjectOptions, 'client' | 'repo' | 'output' | 'onProgress' | 'signal' | 'handleSignals' | 'killGraceMs' | 'env' | 'dockerArgs'> {
  runId: string;
  /** largest relative difference of a metric's final value still counted as reproduced; default 0 (exact) */
  tolerance?: number;
  /** default: the original's `mlflow.project.env` */
  envManager?: EnvManager;
  /** default: `<original name>-reproduced` */
  runName?: string;
}

export interface ReproduceResult {
  originalRunId: string;
  /** the new run (tagged `git-ml.reproduces` = the original's id) */
  run: ProjectRunResult;
  tolerance: number;
  /** every metric of either run, sorted by key */
  metrics: MetricComparison[];
  /** the new run FINISHED and every metric matched */
  ok: boolean;
}

const SOURCE_TAGS = [T.commit, T.branch, T.repoUrl, T.repoPath, T.sourceHead, T.sourceDirty, T.sourceName, SNAPSHOT_TAGS.mode, SNAPSHOT_TAGS.omitted];

function finalValues(run: Run): Record<string, number> {
  return Object.fromEntries(run.data.metrics.map((m) => [m.key, m.value]));
}

/** The parameters to launch with: those recorded at launch, else (older runs, scripts) the run's params the entry point declares. */
function launchParameters(run: Run, tags: Record<string, string>, declared: string[] | null): Record<string, string> {
  const recorded = tags[T.projectParams];
  if (recorded) {
    try {
      return JSON.parse(recorded) as Record<string, string>;
    } catch {
      throw new NotReproducibleError(`Tag ${T.projectParams} of run ${run.info.run_id} is not valid JSON; fix or delete the tag and retry.`, { run_id: run.info.run_id });
    }
  }
  if (!declared) return {};
  return Object.fromEntries(run.data.params.filter((p) => declared.includes(p.key)).map((p) => [p.key, p.value]));
}

/**
 * Re-runs a run from its recorded source commit and compares the results — `git-ml reproduce`.
 * The commit (a dirty-tree snapshot included) is checked out into a temporary directory, the
 * environment recreated (or reused from the cache), and the same entry point run with the same
 * parameters as a new run in the same experiment, tagged `git-ml.reproduces`. Works for runs made by
 * `runProject` and for runs whose script set `mlflow.project.entryPoint` (and, when the project is
 * not at the repository root, `git-ml.project.dir`).
 *
 * ```ts
 * const r = await reproduce({ runId, tolerance: 1e-6 });
 * process.stdout.write(formatMetricComparison(r.metrics));
 * process.exitCode = r.ok ? 0 : 1;
 * ```
 */
export async function reproduce(options: ReproduceOptions): Promise<ReproduceResult> {
  const tolerance = options.tolerance ?? 0;
  if (!(tolerance >= 0) || !Number.isFinite(tolerance)) {
    throw new NotReproducibleError(`Tolerance must be a relative difference >= 0 (e.g. 0 or 1e-6), got ${options.tolerance}.`, { tolerance: options.tolerance });
  }
  const client = options.client ?? new MlClient({ repo: options.repo });
  try {
    const original = client.getRun(options.runId);
    const tags = Object.fromEntries(original.data.tags.map((t) => [t.key, t.value]));
    const entryPoint = tags[T.entryPoint];
    if (!entryPoint) {
      throw new NotReproducibleError(
        `Run ${options.runId} did not record its entry point (tag ${T.entryPoint}). Runs made by \`git-ml run\` do; a script can record it with setTag('${T.entryPoint}', 'train.py').`,
        { run_id: options.runId },
      );
    }
    const recordedEnv = tags[T.env];
    const envManager = options.envManager ?? (recordedEnv ? parseEnvManager(recordedEnv) : undefined);
    const source = await checkoutRunSource(client, options.runId, tags);
    const leftOut = describeLeftOutFiles(options.runId, tags, gitOf(client).workTree);
    if (leftOut) textSink(options.output ?? 'inherit').err(`${leftOut}\n`);
    try {
      const declared = loadProject(source.dir, (file) => `${file} at ${source.commit!.slice(0, 12)}`).entryPoints[entryPoint];
      const run = await launchProject(client, source, {
        ...options,
        entryPoint,
        parameters: launchParameters(original, tags, declared ? Object.keys(declared.parameters) : null),
        envManager,
        experimentId: original.info.experiment_id,
        runName: options.runName ?? `${original.info.run_name}-reproduced`,
        tags: { [T.reproduces]: options.runId },
        sourceTags: Object.fromEntries(SOURCE_TAGS.filter((k) => tags[k] !== undefined).map((k) => [k, tags[k]])),
      });
      const metrics = compareMetrics(finalValues(original), finalValues(client.getRun(run.runId)), tolerance);
      return { originalRunId: options.runId, run, tolerance, metrics, ok: run.status === 'FINISHED' && metrics.every((m) => m.ok) };
    } finally {
      source.cleanup();
    }
  } finally {
    if (!options.client) client.close();
  }
}
