import { gitEnv, gitReason, runGit as runUserGit, type GitResult } from '@git-ml/gitstore';

export { gitEnv, gitReason, type GitResult };

/**
 * Runs the user's git without blocking the event loop (gitstore's one git runner). Throws a
 * GitMlError (`GIT_NOT_FOUND` when there is no git binary); a non-zero exit is returned, not
 * thrown, so callers word the error.
 */
export function runGit(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<GitResult> {
  return runUserGit(args, { ...options, purpose: 'projects are fetched and checked out with it' });
}
