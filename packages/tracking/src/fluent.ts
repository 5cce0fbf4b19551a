import YAML from 'yaml';
import { MlClient } from './client.js';
import { InvalidParameterError } from './errors.js';
import type { Experiment, Run, RunStatus } from './model.js';
import { DEFAULT_EXPERIMENT_ID } from './store/refs-layout.js';

/** A run started with `startRun()`; `end()` ends it (FINISHED unless a status is given). */
export interface ActiveRun {
  info: Run['info'];
  readonly runId: string;
  end(status?: RunStatus): void;
}

let client: MlClient | null = null;
let experimentId: string | null = null;
const stack: ActiveRun[] = [];
let hookInstalled = false;

/** The client the fluent functions use (repository: `GIT_ML_REPO`, `MLFLOW_TRACKING_URI`, or the current directory). */
export function getClient(): MlClient {
  if (!client) client = new MlClient();
  if (!hookInstalled) {
    hookInstalled = true;
    // MLflow ends the active runs when the interpreter exits: FINISHED, or FAILED on an error exit.
    process.on('exit', (code) => {
      while (stack.length > 0) stack.pop()!.end(code === 0 ? 'FINISHED' : 'FAILED');
      client?.close();
    });
  }
  return client;
}

/** Points the fluent API at another repository (closing the previous client). */
export function setTrackingRepo(repo: string): void {
  client?.close();
  client = new MlClient({ repo });
  experimentId = null;
}

/** Makes `name` the active experiment, creating it if needed (MLflow's `set_experiment`). */
export function setExperiment(name: string): Experiment {
  const c = getClient();
  const existing = c.getExperimentByName(name);
  const id = existing?.experiment_id ?? c.createExperiment(name);
  experimentId = id;
  return c.getExperiment(id);
}

function currentExperimentId(): string {
  if (experimentId) return experimentId;
  if (process.env.MLFLOW_EXPERIMENT_ID) return process.env.MLFLOW_EXPERIMENT_ID;
  if (process.env.MLFLOW_EXPERIMENT_NAME) return setExperiment(process.env.MLFLOW_EXPERIMENT_NAME).experiment_id;
  return DEFAULT_EXPERIMENT_ID;
}

function makeActive(run: Run): ActiveRun {
  const active: ActiveRun = {
    info: run.info,
    runId: run.info.run_id,
    end(status: RunStatus = 'FINISHED') {
      const i = stack.indexOf(active);
      if (i >= 0) stack.splice(i, 1);
      getClient().setTerminated(run.info.run_id, status);
    },
  };
  return active;
}

/**
 * Starts a run and makes it active (MLflow's `start_run`). With `MLFLOW_RUN_ID` set (as `git-ml run`
 * does for a project's process) and no active run, attaches to that run instead of creating one.
 * `nested: true` starts a child of the active run (tag `mlflow.parentRunId`).
 */
export function startRun(options: { runName?: string; experimentId?: string; runId?: string; nested?: boolean; tags?: Record<string, string> } = {}): ActiveRun {
  const c = getClient();
  const attachId = options.runId ?? (stack.length === 0 ? process.env.MLFLOW_RUN_ID : undefined);
  if (attachId) {
    const run = c.getRun(attachId);
    if (run.info.status !== 'RUNNING') c.updateRun(attachId, { status: 'RUNNING' });
    const active = makeActive(run);
    stack.push(active);
    return active;
  }
  if (stack.length > 0 && !options.nested) {
    throw new InvalidParameterError(`Run ${stack[stack.length - 1].runId} is already active. End it with endRun(), or pass { nested: true } to start a child run.`, { field: 'nested' });
  }
  const tags = { ...options.tags };
  if (options.nested && stack.length > 0) tags['mlflow.parentRunId'] = stack[stack.length - 1].runId;
  const run = c.createRun(options.experimentId ?? currentExperimentId(), { runName: options.runName, tags });
  const active = makeActive(run);
  stack.push(active);
  return active;
}

/** The innermost active run, or null. */
export function activeRun(): ActiveRun | null {
  return stack[stack.length - 1] ?? null;
}

function requireRun(): string {
  return (activeRun() ?? startRun()).runId;
}

/** Ends the active run (default status FINISHED). */
export function endRun(status: RunStatus = 'FINISHED'): void {
  activeRun()?.end(status);
}

export function logParam(key: string, value: unknown): void {
  getClient().logParam(requireRun(), key, value);
}

export function logParams(params: Record<string, unknown>): void {
  getClient().logBatch(requireRun(), { params });
}

export function logMetric(key: string, value: number, step?: number, timestamp?: number): void {
  getClient().logMetric(requireRun(), key, value, { step, timestamp });
}

export function logMetrics(metrics: Record<string, number>, step?: number): void {
  const now = Date.now();
  getClient().logBatch(requireRun(), { metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, step, timestamp: now })) });
}

export function setTag(key: string, value: unknown): void {
  getClient().setTag(requireRun(), key, value);
}

export function setTags(tags: Record<string, unknown>): void {
  getClient().logBatch(requireRun(), { tags });
}

export async function logArtifact(localPath: string, artifactPath?: string): Promise<void> {
  await getClient().logArtifact(requireRun(), localPath, artifactPath);
}

export async function logArtifacts(localDir: string, artifactPath?: string): Promise<void> {
  await getClient().logArtifacts(requireRun(), localDir, artifactPath);
}

/** Logs text as an artifact file (MLflow's `log_text`). */
export function logText(text: string, artifactFile: string): void {
  getClient().logText(requireRun(), text, artifactFile);
}

/** Logs an object as JSON, or YAML when the file name ends in .yaml/.yml (MLflow's `log_dict`). */
export function logDict(dict: unknown, artifactFile: string): void {
  const text = /\.ya?ml$/i.test(artifactFile) ? YAML.stringify(dict) : `${JSON.stringify(dict, null, 2)}\n`;
  getClient().logText(requireRun(), text, artifactFile);
}
