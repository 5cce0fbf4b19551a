import { GitMlError, gitOrThrow, runGitSync } from '@git-ml/gitstore';

/**
 * What `git-ml init` adds to each remote's fetch refspecs. Not forced (no `+`): a plain `git fetch`
 * creates and fast-forwards runs, records and version tags, and refuses (loudly) to overwrite a ref
 * that changed locally too — `git-ml pull` merges those. Push refspecs are left alone, so a plain
 * `git push` does exactly what it did before.
 */
export const FETCH_REFSPECS = ['refs/ml/*:refs/ml/*', 'refs/tags/*:refs/tags/*'];

export interface InitResult {
  remote: string;
  added: string[];
  alreadyThere: string[];
}

/** Configures `remotes` (default: all) so plain `git fetch` / `git pull` also bring runs and the registry. Idempotent. */
export function initRemotes(repoDir: string, remotes?: string[]): InitResult[] {
  const all = gitOrThrow(['remote'], { cwd: repoDir }).stdout.split('\n').filter(Boolean);
  const chosen = remotes?.length ? remotes : all;
  if (chosen.length === 0) {
    throw new GitMlError('NO_REMOTE', 'This repository has no remotes. Add one first (`git remote add origin URL`), then run `git-ml init` again.');
  }
  const out: InitResult[] = [];
  for (const remote of chosen) {
    if (!all.includes(remote)) {
      throw new GitMlError('NO_REMOTE', `No remote named '${remote}' (remotes: ${all.join(', ') || 'none'}). Check \`git remote -v\`.`, { remote });
    }
    const current = runGitSync(['config', '--get-all', `remote.${remote}.fetch`], { cwd: repoDir }).stdout.split('\n').filter(Boolean);
    const res: InitResult = { remote, added: [], alreadyThere: [] };
    for (const spec of FETCH_REFSPECS) {
      if (current.some((c) => c.replace(/^\+/, '') === spec)) res.alreadyThere.push(spec);
      else {
        gitOrThrow(['config', '--add', `remote.${remote}.fetch`, spec], { cwd: repoDir });
        res.added.push(spec);
      }
    }
    out.push(res);
  }
  return out;
}
