import { spawn } from 'node:child_process';
import { GitMlError } from '@git-ml/gitstore';

/** Variables that would point git at another repository or index than the one we name. */
const REPO_VARS = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR', 'GIT_PREFIX', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_NAMESPACE'];

/** The environment for the user's git: theirs (credentials, ssh, proxies), minus repository overrides. */
export function gitEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of REPO_VARS) delete env[k];
  return { ...env, ...extra };
}

export interface GitResult {
  status: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the user's git without blocking the event loop. Throws a GitMlError (`GIT_NOT_FOUND` when
 * there is no git binary); a non-zero exit is returned, not thrown, so callers word the error.
 */
export function runGit(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<GitResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn('git', args, { cwd: options.cwd, env: gitEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (err) =>
      reject(new GitMlError('GIT_NOT_FOUND', `Could not run git (${err.message}). Install git and make sure it is on PATH; projects are fetched and checked out with it.`, {}, { cause: err })),
    );
    child.on('close', (code) => resolveRun({ status: code ?? 1, stdout, stderr }));
  });
}

/** The last meaningful line git printed on stderr (its `fatal: …`), for error messages. */
export function gitReason(r: GitResult): string {
  const lines = r.stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => l.startsWith('fatal:')) ?? lines[lines.length - 1] ?? `exit ${r.status}`;
}
