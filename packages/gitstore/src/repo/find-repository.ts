import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { NotARepositoryError } from '../errors.js';

/** Where a repository's parts live. For a linked worktree `gitDir` and `commonDir` differ. */
export interface RepositoryLocation {
  /** the per-worktree git dir (HEAD, index) */
  gitDir: string;
  /** objects, refs and git-ml's own `ml/` cache live here */
  commonDir: string;
  /** the working tree, or null for a bare repository */
  workTree: string | null;
}

function isGitDir(dir: string): boolean {
  return existsSync(join(dir, 'HEAD')) && (existsSync(join(dir, 'objects')) || existsSync(join(dir, 'commondir')));
}

function fromGitDir(gitDir: string, workTree: string | null): RepositoryLocation {
  let commonDir = gitDir;
  const commonFile = join(gitDir, 'commondir');
  if (existsSync(commonFile)) {
    const rel = readFileSync(commonFile, 'utf8').trim();
    commonDir = isAbsolute(rel) ? rel : resolve(gitDir, rel);
  }
  return { gitDir, commonDir, workTree };
}

/**
 * Finds the repository containing `start` the way git does: walks up looking for `.git` (a dir, or
 * a file pointing elsewhere as in worktrees and submodules), and accepts a bare repository itself.
 */
export function findRepository(start: string): RepositoryLocation {
  let dir = resolve(start);
  if (!existsSync(dir)) throw new NotARepositoryError(dir);
  for (;;) {
    const dotGit = join(dir, '.git');
    if (existsSync(dotGit)) {
      if (statSync(dotGit).isDirectory()) return fromGitDir(dotGit, dir);
      const m = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'));
      if (m) return fromGitDir(resolve(dir, m[1].trim()), dir);
    }
    if (isGitDir(dir)) return fromGitDir(dir, null);
    const parent = dirname(dir);
    if (parent === dir) throw new NotARepositoryError(resolve(start));
    dir = parent;
  }
}
