import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProjectSourceError } from '../errors.js';
import { gitReason, runGit } from './git-process.js';

/** A temporary directory for a project checkout; `remove()` deletes it. */
export function makeTempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** The full commit id `rev` names in `gitDir`, or null. */
export async function resolveCommit(gitDir: string, rev: string): Promise<string | null> {
  if (rev.startsWith('-')) return null;
  const r = await runGit(['--git-dir', gitDir, 'rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`]);
  return r.status === 0 ? r.stdout.trim() : null;
}

/** True when `name` is a local branch of `gitDir`. */
export async function isBranch(gitDir: string, name: string): Promise<boolean> {
  return (await runGit(['--git-dir', gitDir, 'show-ref', '--verify', '--quiet', `refs/heads/${name}`])).status === 0;
}

/**
 * Writes the files of `commit` into `dest` through a private index file: the repository's own
 * index, HEAD, branches and working tree are never touched (it works on bare repositories too).
 * Checkout filters (line endings, LFS smudge) apply as in a normal checkout.
 */
export async function checkoutCommit(gitDir: string, commit: string, dest: string): Promise<void> {
  const scratch = makeTempDir('git-ml-index-');
  try {
    mkdirSync(dest, { recursive: true });
    const env = { GIT_INDEX_FILE: join(scratch.path, 'index') };
    const read = await runGit(['--git-dir', gitDir, 'read-tree', commit], { env });
    if (read.status !== 0) throw new ProjectSourceError(`Could not read commit ${commit} in ${gitDir}: ${gitReason(read)}.`, { commit });
    const out = await runGit(['--git-dir', gitDir, '--work-tree', dest, 'checkout-index', '--all', '--force'], { env, cwd: dest });
    if (out.status !== 0) throw new ProjectSourceError(`Could not check out commit ${commit} into ${dest}: ${gitReason(out)}.`, { commit });
  } finally {
    scratch.remove();
  }
}
