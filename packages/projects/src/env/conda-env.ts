import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EnvironmentBuildError, EnvironmentUnavailableError } from '../errors.js';
import type { OutputSink } from '../output.js';
import { cachedEnvironment, environmentHash } from './env-cache.js';
import type { PreparedEnvironment } from './environment.js';
import { scriptRunners } from './local-env.js';
import { lastLines, runTool } from './run-tool.js';
import { which } from './which.js';

/** conda, mamba or micromamba: `$MLFLOW_CONDA_HOME/bin` first (as MLflow), then PATH; null when none is installed. */
export function findConda(pathEnv = process.env.PATH ?? ''): string | null {
  const home = process.env.MLFLOW_CONDA_HOME;
  for (const name of ['mamba', 'conda', 'micromamba']) {
    if (home && existsSync(join(home, 'bin', name))) return join(home, 'bin', name);
    const found = which(name, pathEnv);
    if (found) return found;
  }
  return null;
}

/**
 * A conda_env: `conda env create -p <cache>/conda-<hash> -f <file>` (mamba or micromamba when
 * those are what is installed), cached under a hash of the file and the platform.
 */
export async function condaEnvironment(envsRoot: string, projectDir: string, file: string, sink: OutputSink, onWait?: (m: string) => void): Promise<PreparedEnvironment> {
  const conda = findConda();
  if (!conda) {
    throw new EnvironmentUnavailableError(
      'conda_env needs conda or mamba, but neither is on PATH (nor in $MLFLOW_CONDA_HOME/bin). ' +
        'Install Miniforge (https://github.com/conda-forge/miniforge) or Miniconda, or run with --env-manager local.',
      {},
    );
  }
  const envFile = resolve(projectDir, file);
  const describe = { kind: 'conda', platform: process.platform, arch: process.arch };
  const hash = environmentHash({ ...describe, file: readFileSync(envFile, 'utf8') });
  const { dir, reused } = await cachedEnvironment(
    envsRoot,
    `conda-${hash}`,
    describe,
    async (target) => {
      sink.err(`git-ml: creating conda environment ${target} with ${conda}\n`);
      const args = conda.endsWith('micromamba') ? ['create', '--yes', '--prefix', target, '--file', envFile] : ['env', 'create', '--prefix', target, '--file', envFile];
      const r = await runTool(conda, args, { cwd: projectDir, sink });
      if (r.status !== 0) throw new EnvironmentBuildError(`${conda} failed (exit ${r.status}) creating conda_env ${file}: ${lastLines(r.tail)}.`, { tail: r.tail });
    },
    onWait,
  );
  const bin = join(dir, 'bin');
  return {
    manager: 'conda',
    path: [bin],
    vars: { CONDA_PREFIX: dir, CONDA_DEFAULT_ENV: dir, PYTHONHOME: null },
    runners: scriptRunners(`${bin}:${process.env.PATH ?? ''}`, projectDir),
    dir,
    reused,
  };
}
