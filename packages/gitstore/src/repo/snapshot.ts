import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The code a run ran on: HEAD when the tree is clean, else a snapshot commit whose parent is HEAD. */
export interface SourceSnapshot {
  commit: string | null;
  head: string | null;
  dirty: boolean | null;
}

function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('GIT_')) delete env[k];
  return env;
}

/**
 * Records the working tree like `git stash create`, but also with untracked, non-ignored files —
 * through a private index file, so the user's index, HEAD and branches never change. Needs the git
 * binary (it honours every ignore rule and attribute); without it the source is HEAD and `dirty`
 * is null (unknown).
 */
export function snapshotWorkTree(gitDir: string, workTree: string, head: string | null): SourceSnapshot {
  const base = { commit: head, head, dirty: null };
  const env = cleanEnv();
  const git = (args: string[], extra: NodeJS.ProcessEnv = {}) =>
    execFileSync('git', ['--git-dir', gitDir, '--work-tree', workTree, ...args], {
      env: { ...env, ...extra },
      cwd: workTree,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 256 * 1024 * 1024,
    });
  let status: string;
  try {
    status = git(['--no-optional-locks', 'status', '--porcelain', '-z', '--untracked-files=all', '--ignore-submodules=dirty']);
  } catch {
    return base;
  }
  if (status === '') return { commit: head, head, dirty: false };
  const tmp = mkdtempSync(join(tmpdir(), 'git-ml-index-'));
  try {
    const index = join(tmp, 'index');
    if (existsSync(join(gitDir, 'index'))) copyFileSync(join(gitDir, 'index'), index);
    const idx = { GIT_INDEX_FILE: index };
    if (!existsSync(index) && head) git(['read-tree', head], idx);
    git(['add', '-A', '--', '.'], idx);
    const tree = git(['write-tree'], idx).trim();
    const args = ['commit-tree', tree, '-m', `git-ml: snapshot of the working tree${head ? ` on ${head.slice(0, 12)}` : ''}`];
    if (head) args.push('-p', head);
    const who = { GIT_AUTHOR_NAME: 'git-ml', GIT_AUTHOR_EMAIL: 'git-ml@localhost', GIT_COMMITTER_NAME: 'git-ml', GIT_COMMITTER_EMAIL: 'git-ml@localhost' };
    const commit = git(args, { ...idx, ...who }).trim();
    return { commit, head, dirty: true };
  } catch {
    return base;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
