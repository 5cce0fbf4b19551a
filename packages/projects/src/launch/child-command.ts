import type { MlClient } from '@git-ml/tracking';
import { dockerRunArgv } from '../env/docker-env.js';
import type { PreparedEnvironment } from '../env/environment.js';
import type { ProjectSpec } from '../spec/project.js';
import { gitOf } from '@git-ml/tracking/internal';

/** The process to start for a rendered command: MLflow runs it with bash (sh when there is none), or inside `docker run`. */
export function childCommand(
  env: PreparedEnvironment,
  project: ProjectSpec,
  command: string,
  runVars: Record<string, string>,
  client: MlClient,
  runId: string,
  dockerArgs?: Record<string, string | boolean>,
): { file: string; args: string[]; container: string | null } {
  if (env.manager !== 'docker') return { file: env.runners.shell === 'bash' ? 'bash' : 'sh', args: ['-c', command], container: null };
  const declared = project.environment.kind === 'docker' ? project.environment : null;
  const container = `git-ml-${runId}`;
  const args = dockerRunArgv({
    image: env.image!,
    volumes: declared?.volumes,
    environment: declared?.environment,
    projectDir: project.dir,
    command,
    vars: runVars,
    // the tracking repository at the same path, so a git-ml client in the container logs into it
    mounts: mountsFor(client.repoPath, gitOf(client).location.commonDir),
    name: container,
    user: process.getuid && process.getgid ? `${process.getuid()}:${process.getgid()}` : undefined,
    dockerArgs,
  });
  return { file: 'docker', args, container };
}

function mountsFor(repoPath: string, commonDir: string): string[] {
  return commonDir === repoPath || commonDir.startsWith(`${repoPath}/`) ? [repoPath] : [repoPath, commonDir];
}
