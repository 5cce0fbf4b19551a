import { EnvironmentUnavailableError } from '../errors.js';
import type { DockerEnvVar } from '../spec/project.js';
import type { PreparedEnvironment } from './environment.js';
import { lastLines, runTool } from './run-tool.js';

/** Where the project directory is mounted inside the container (MLflow copies it to the same place). */
export const PROJECT_MOUNT = '/mlflow/projects/code';

export interface DockerRunOptions {
  image: string;
  /** `docker_env.volumes`: `-v` specs as written */
  volumes?: string[];
  /** `docker_env.environment`: names copied from the launcher's environment, or `[name, value]` */
  environment?: DockerEnvVar[];
  /** the project directory on the host, mounted at `/mlflow/projects/code` (the working directory) */
  projectDir: string;
  /** the rendered entry-point command, run with `sh -c` */
  command: string;
  /** variables for the run (MLFLOW_RUN_ID, MLFLOW_EXPERIMENT_ID, MLFLOW_TRACKING_URI, GIT_ML_REPO) */
  vars?: Record<string, string>;
  /** host paths mounted at the same path (the tracking repository, so the run can log into it) */
  mounts?: string[];
  /** `--name`, so the container can be removed if it does not stop */
  name?: string;
  /** `--user uid:gid`: files the container writes into mounted repositories stay the user's */
  user?: string;
  /** extra `docker run` options, as MLflow's `docker_args` (`{ gpus: 'all', privileged: true }`) */
  dockerArgs?: Record<string, string | boolean>;
}

/**
 * The argv of `docker` for a docker_env run: `run --rm --init`, the project mounted as the working
 * directory, the environment's volumes and variables, the run's variables, then `image sh -c command`.
 * `--init` makes Ctrl-C reach the command (a shell as PID 1 would ignore it).
 */
export function dockerRunArgv(o: DockerRunOptions): string[] {
  const argv = ['run', '--rm', '--init'];
  if (o.name) argv.push('--name', o.name);
  if (o.user) argv.push('--user', o.user);
  for (const [k, v] of Object.entries(o.dockerArgs ?? {})) {
    const flag = k.length === 1 ? `-${k}` : `--${k}`;
    if (v === true) argv.push(flag);
    else if (v !== false) argv.push(flag, v);
  }
  argv.push('-v', `${o.projectDir}:${PROJECT_MOUNT}`, '-w', PROJECT_MOUNT);
  for (const v of o.volumes ?? []) argv.push('-v', v);
  for (const m of o.mounts ?? []) argv.push('-v', `${m}:${m}`);
  for (const e of o.environment ?? []) argv.push('-e', typeof e === 'string' ? e : `${e[0]}=${e[1]}`);
  for (const [k, v] of Object.entries(o.vars ?? {})) argv.push('-e', `${k}=${v}`);
  argv.push(o.image, 'sh', '-c', o.command);
  return argv;
}

/** Checks that a Docker engine answers; the error says what to do when none does. */
export async function checkDockerEngine(): Promise<string> {
  const r = await runTool('docker', ['version', '--format', '{{.Server.Version}}'], { timeoutMs: 20_000 });
  if (r.spawnError) {
    throw new EnvironmentUnavailableError('docker_env needs Docker, but the docker command is not on PATH. Install Docker (https://docs.docker.com/get-docker/), or run with --env-manager local.', {});
  }
  if (r.status !== 0) {
    throw new EnvironmentUnavailableError(
      `docker_env needs a running Docker engine, but none answered (${lastLines(r.tail, 1) || `docker version exited ${r.status}`}). ` +
        'Start Docker (or point DOCKER_HOST at an engine), or run with --env-manager local.',
      { tail: r.tail },
    );
  }
  return r.tail;
}

/** A docker_env: nothing to build here (the image is the environment; docker caches and pulls it). */
export async function dockerEnvironment(image: string): Promise<PreparedEnvironment> {
  await checkDockerEngine();
  return {
    manager: 'docker',
    path: [],
    vars: {},
    runners: { python: 'python', shell: 'sh', node: 'node', typescript: 'node --experimental-strip-types' },
    dir: null,
    reused: true,
    image,
  };
}
