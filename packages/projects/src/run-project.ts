import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MlClient, type RunStatus } from '@git-ml/tracking';
import { childEnvironment, type EnvManager } from './env/environment.js';
import { prepareEnvironment } from './env/prepare-env.js';
import { runTool } from './env/run-tool.js';
import { childCommand } from './launch/child-command.js';
import { createProjectRun, resolveExperimentId } from './launch/create-run.js';
import { entryPointSpec, findEntryPoint } from './launch/entry-point.js';
import { resolveParameters, type ParameterValues } from './launch/parameters.js';
import { renderCommand } from './launch/render-command.js';
import { spawnChild, type ChildExit, type ChildHandle } from './launch/spawn-child.js';
import { PROJECT_TAGS } from './launch/tags.js';
import { textSink, type Output } from './output.js';
import { fetchProject, type ProjectSource } from './source/fetch-source.js';
import { loadProject } from './spec/load-project.js';
import { gitOf } from '@git-ml/tracking/internal';

export interface RunProjectOptions {
  /** a local directory, or a git URL (`https://…`, `git@host:…`, `file://…`), optionally with `#subdirectory` */
  uri: string;
  /** entry point name, or a .js/.mjs/.cjs/.ts/.py/.sh file of the project; default `main` */
  entryPoint?: string;
  parameters?: ParameterValues;
  /** branch, tag or commit to check out (git sources; a local directory must then be in a repository) */
  version?: string;
  experimentId?: string;
  /** created when it does not exist */
  experimentName?: string;
  runName?: string;
  /** default: what the MLproject declares (python_env → virtualenv, conda_env → conda, docker_env → docker, node_env → node, none → local) */
  envManager?: EnvManager;
  /** the tracking client (the CLI's); else one is opened on `repo` and closed at the end */
  client?: MlClient;
  /** the tracking repository when no client is given (default: GIT_ML_REPO, MLFLOW_TRACKING_URI, the current directory) */
  repo?: string;
  /** where the child's output and environment-build output go; default 'inherit' */
  output?: Output;
  /** progress lines of git-ml itself ("creating virtualenv …"); default: none */
  onProgress?: (message: string) => void;
  /** aborting stops the child (SIGINT, SIGKILL after `killGraceMs`) and marks the run KILLED */
  signal?: AbortSignal;
  /** stop the child and mark the run KILLED on SIGINT / SIGTERM to this process (default true) */
  handleSignals?: boolean;
  killGraceMs?: number;
  /** more tags for the run */
  tags?: Record<string, string>;
  /** more variables for the child; undefined removes one */
  env?: Record<string, string | undefined>;
  /** extra `docker run` options for docker_env (MLflow's docker_args) */
  dockerArgs?: Record<string, string | boolean>;
}

/** What a project run did. */
export interface ProjectRunResult {
  runId: string;
  experimentId: string;
  status: Extract<RunStatus, 'FINISHED' | 'FAILED' | 'KILLED'>;
  /** the child's exit code; null when a signal ended it */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  entryPoint: string;
  /** the shell command that ran (every value quoted) */
  command: string;
  /** every parameter logged: declared ones (defaults filled in) and undeclared ones */
  parameters: Record<string, string>;
  envManager: EnvManager;
  /** the cached environment directory, if any, and whether it was reused */
  environment: { dir: string | null; reused: boolean };
  /** the commit the code came from (null for a directory outside git) */
  commit: string | null;
}

/** Internal: launch options once the source is fetched (shared with `reproduce`). */
export interface LaunchOptions extends Omit<RunProjectOptions, 'uri' | 'version' | 'client' | 'repo'> {
  sourceTags?: Record<string, string>;
}

function exitStatus(code: number | null, interrupted: boolean): ProjectRunResult['status'] {
  if (interrupted) return 'KILLED';
  return code === 0 ? 'FINISHED' : 'FAILED';
}

/** Where a checkout's MLproject is named in errors: the URI and the file inside it. */
function labelFor(source: ProjectSource): ((file: string) => string) | undefined {
  if (source.inPlace) return undefined;
  const base = source.uri.split('#')[0];
  return (file) => `${base}#${source.subdirectory ? `${source.subdirectory}/` : ''}${file}`;
}

/** Runs the child until it exits; SIGINT/SIGTERM to this process and `signal` stop it. */
async function runChild(handle: ChildHandle, o: LaunchOptions): Promise<ChildExit> {
  const stop = () => handle.stop();
  const signals = o.handleSignals !== false;
  o.signal?.addEventListener('abort', stop);
  if (o.signal?.aborted) stop();
  if (signals) {
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  }
  try {
    return await handle.exit;
  } finally {
    o.signal?.removeEventListener('abort', stop);
    if (signals) {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  }
}

/** Runs a fetched project: validates, prepares the environment, creates the run, runs the child. */
export async function launchProject(client: MlClient, source: ProjectSource, o: LaunchOptions): Promise<ProjectRunResult> {
  const project = loadProject(source.dir, labelFor(source));
  const entry = findEntryPoint(project, o.entryPoint ?? 'main');
  const entryName = entry.kind === 'declared' ? entry.spec.name : entry.file;
  for (const w of project.warnings) if (w.entryPoint === entryName) textSink(o.output ?? 'inherit').err(`git-ml: warning: ${w.message}\n`);
  const declared = entry.kind === 'declared' ? entry.spec : { name: entryName, command: '', parameters: {} };
  const params = resolveParameters(declared, o.parameters ?? {}, process.cwd(), project.dir);
  const given = Object.fromEntries(Object.keys(o.parameters ?? {}).map((k) => [k, params.declared[k] ?? params.extra[k]]));
  const experimentId = resolveExperimentId(client, o);
  const env = await prepareEnvironment(project, o.envManager, { envsRoot: gitOf(client).area('envs'), sink: textSink(o.output ?? 'inherit'), onProgress: o.onProgress });
  const command = renderCommand(entryPointSpec(entry, env.runners).command, params);

  const run = createProjectRun(client, { experimentId, runName: o.runName, source, sourceTags: o.sourceTags, entryPoint: entryName, manager: env.manager, image: env.image, given, params, tags: o.tags });
  const runId = run.info.run_id;
  const runVars = { MLFLOW_RUN_ID: runId, MLFLOW_EXPERIMENT_ID: experimentId, MLFLOW_TRACKING_URI: pathToFileURL(client.repoPath).href, GIT_ML_REPO: client.repoPath };
  const childEnv = childEnvironment(env, runVars);
  for (const [k, v] of Object.entries(o.env ?? {})) {
    if (v === undefined) delete childEnv[k];
    else childEnv[k] = v;
  }
  o.onProgress?.(`run ${runId} in experiment ${experimentId}: ${command}`);
  const proc = childCommand(env, project, command, runVars, client, runId, o.dockerArgs);
  const container = proc.container;
  let exit: ChildExit;
  try {
    exit = await runChild(
      spawnChild({
        file: proc.file,
        args: proc.args,
        cwd: project.dir,
        env: childEnv,
        output: o.output ?? 'inherit',
        killGraceMs: o.killGraceMs,
        onHardKill: container ? () => void runTool('docker', ['rm', '-f', container]) : undefined,
      }),
      o,
    );
  } catch (err) {
    client.setTerminated(runId, 'FAILED');
    client.flush();
    throw err;
  }
  const status = exitStatus(exit.exitCode, exit.interrupted);
  client.setTerminated(runId, status);
  client.flush();
  return {
    runId,
    experimentId,
    status,
    exitCode: exit.exitCode,
    signal: exit.signal,
    entryPoint: entryName,
    command,
    parameters: { ...params.declared, ...params.extra },
    envManager: env.manager,
    environment: { dir: env.dir, reused: env.reused },
    commit: run.data.tags.find((t) => t.key === PROJECT_TAGS.commit)?.value ?? null,
  };
}

/**
 * Runs an MLflow project as a tracked run — MLflow's `mlflow run`. Fetches the project (a local
 * directory in place, or a git checkout in a temporary directory), validates the entry point and
 * parameters, prepares the environment, creates the run (params, system tags) and commits it, then
 * runs the command with MLFLOW_RUN_ID / MLFLOW_EXPERIMENT_ID / MLFLOW_TRACKING_URI / GIT_ML_REPO set
 * so the child logs into that run, and ends the run FINISHED, FAILED or KILLED.
 * Bad input throws a GitMlError before any run is created.
 *
 * ```ts
 * const r = await runProject({ uri: '.', entryPoint: 'train', parameters: { alpha: 0.5 } });
 * process.exitCode = r.status === 'FINISHED' ? 0 : 1;
 * ```
 */
export async function runProject(options: RunProjectOptions): Promise<ProjectRunResult> {
  const source = await fetchProject(options.uri, options.version);
  try {
    const client = options.client ?? new MlClient({ repo: options.repo });
    try {
      return await launchProject(client, source, options);
    } finally {
      if (!options.client) client.close();
    }
  } finally {
    source.cleanup();
  }
}
