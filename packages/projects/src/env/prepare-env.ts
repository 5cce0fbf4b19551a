import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ProjectParameterError } from '../errors.js';
import type { OutputSink } from '../output.js';
import type { EnvironmentSpec, ProjectSpec } from '../spec/project.js';
import { condaEnvironment } from './conda-env.js';
import { dockerEnvironment } from './docker-env.js';
import { ENV_MANAGERS, type EnvManager, type PreparedEnvironment } from './environment.js';
import { localEnvironment } from './local-env.js';
import { nodeEnvironment } from './node-env.js';
import { pythonEnvironment, readPythonEnv } from './python-env.js';

const MANAGER_OF: Record<EnvironmentSpec['kind'], EnvManager> = { python: 'virtualenv', conda: 'conda', node: 'node', docker: 'docker', none: 'local' };
const KEY_OF: Record<EnvironmentSpec['kind'], string> = { python: 'python_env', conda: 'conda_env', node: 'node_env', docker: 'docker_env', none: 'no environment' };

/** The manager a project uses unless told otherwise: the one its declared environment needs. */
export function defaultEnvManager(env: EnvironmentSpec): EnvManager {
  return MANAGER_OF[env.kind];
}

/** Checks an `--env-manager` value; the error lists the valid ones. */
export function parseEnvManager(value: string): EnvManager {
  if ((ENV_MANAGERS as readonly string[]).includes(value)) return value as EnvManager;
  throw new ProjectParameterError(`Unknown --env-manager '${value}': use one of ${ENV_MANAGERS.join(', ')}.`, { env_manager: value });
}

export interface PrepareOptions {
  /** where cached environments live: `<git common dir>/ml/envs` */
  envsRoot: string;
  sink: OutputSink;
  onProgress?: (message: string) => void;
}

/**
 * Makes (or reuses) the environment a project runs in. Without `manager` the project's declared
 * environment decides; `local` always runs in the current environment. A manager that does not fit
 * the declared environment is refused, except `virtualenv` (an empty venv) and `node` (the
 * project's package.json) for projects that declare none.
 */
export async function prepareEnvironment(project: ProjectSpec, manager: EnvManager | undefined, o: PrepareOptions): Promise<PreparedEnvironment> {
  const env = project.environment;
  const chosen = manager ?? defaultEnvManager(env);
  const mismatch = () =>
    new ProjectParameterError(
      `--env-manager ${chosen} does not fit this project: it declares ${KEY_OF[env.kind]}. Use --env-manager ${defaultEnvManager(env)} (its own) or local.`,
      { env_manager: chosen, declared: env.kind },
    );
  switch (chosen) {
    case 'local':
      return localEnvironment(project.dir);
    case 'virtualenv':
      if (env.kind === 'python') return pythonEnvironment(o.envsRoot, project.dir, readPythonEnv(resolve(project.dir, env.file)), o.sink, o.onProgress);
      if (env.kind === 'none') return pythonEnvironment(o.envsRoot, project.dir, { python: null, buildDependencies: [], dependencies: [] }, o.sink, o.onProgress);
      throw mismatch();
    case 'conda':
      if (env.kind === 'conda') return condaEnvironment(o.envsRoot, project.dir, env.file, o.sink, o.onProgress);
      throw mismatch();
    case 'node':
      if (env.kind === 'node') return nodeEnvironment(o.envsRoot, project.dir, env.file, o.sink, o.onProgress);
      if (env.kind === 'none' && existsSync(join(project.dir, 'package.json'))) return nodeEnvironment(o.envsRoot, project.dir, 'package.json', o.sink, o.onProgress);
      throw env.kind === 'none'
        ? new ProjectParameterError(`--env-manager node needs a node_env in the MLproject or a package.json in ${project.dir}.`, { env_manager: chosen })
        : mismatch();
    case 'docker':
      if (env.kind === 'docker') return dockerEnvironment(env.image);
      throw mismatch();
  }
}
