import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitMlError } from '../errors.js';
import { gitReason, runGitSync } from './git-process.js';
import type { SnapshotMode, SnapshotSettings } from './snapshot-settings.js';

/** An untracked file that is not in the run's source snapshot, with enough to tell later whether it changed. */
export interface OmittedFile {
  /** relative to the work tree, `/`-separated */
  path: string;
  size: number;
  /** last modification, ms since the epoch */
  mtimeMs: number;
  /** git blob id of the content; only for files within the per-file cap (read while the hashing budget lasts) */
  blob?: string;
  /** `file-cap`: larger than the per-file cap; `total-cap`: would pass the total cap; `tracked`: mode `tracked` keeps no untracked file */
  reason: 'file-cap' | 'total-cap' | 'tracked';
}

/** The code a run ran on: HEAD when the tree is clean, else a snapshot commit whose parent is HEAD. */
export interface SourceSnapshot {
  commit: string | null;
  head: string | null;
  /** whether the work tree had changes; null when unknown (no git binary, or snapshots are off) */
  dirty: boolean | null;
  /** the snapshot settings used; absent when git could not be run */
  settings?: SnapshotSettings;
  /** untracked, non-ignored files left out of the snapshot (sorted by path) */
  omitted?: OmittedFile[];
}

class GitFailed extends Error {}

/** `XY path\0` entries of `git status --porcelain -z`; renames and copies carry their old path as an extra field. */
function parseStatus(out: string): { tracked: boolean; untracked: string[] } {
  const fields = out.split('\0');
  let tracked = false;
  const untracked: string[] = [];
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    if (f.length < 4) continue;
    const xy = f.slice(0, 2);
    if (xy === '??') untracked.push(f.slice(3));
    else {
      tracked = true;
      if (xy.includes('R') || xy.includes('C')) i++;
    }
  }
  return { tracked, untracked };
}

function blobId(data: Buffer): string {
  return createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex');
}

/** Untracked files are kept smallest first (then by path) while they fit the caps; the rest is left out. Files are only stat'ed here. */
function choose(workTree: string, paths: string[], s: SnapshotSettings): { kept: string[]; omitted: OmittedFile[] } {
  const files = paths.map((path) => {
    const st = lstatSync(join(workTree, path), { throwIfNoEntry: false });
    return { path, size: st && !st.isDirectory() ? st.size : 0, mtimeMs: st ? Math.floor(st.mtimeMs) : 0, link: st?.isSymbolicLink() ?? false, gone: !st };
  });
  const kept: string[] = [];
  const omitted: OmittedFile[] = [];
  let total = 0;
  let hashBudget = s.maxTotalBytes;
  const order = [...files].sort((a, b) => a.size - b.size || (a.path < b.path ? -1 : 1));
  for (const f of order) {
    if (f.gone) continue;
    const reason: OmittedFile['reason'] | null = s.mode === 'tracked' ? 'tracked' : f.size > s.maxFileBytes ? 'file-cap' : total + f.size > s.maxTotalBytes ? 'total-cap' : null;
    if (!reason) {
      kept.push(f.path);
      total += f.size;
      continue;
    }
    const o: OmittedFile = { path: f.path, size: f.size, mtimeMs: f.mtimeMs, reason };
    if (reason === 'total-cap' && f.size <= hashBudget) {
      try {
        o.blob = blobId(f.link ? Buffer.from(readlinkSync(join(workTree, f.path))) : readFileSync(join(workTree, f.path)));
        hashBudget -= f.size;
      } catch {
        // vanished or unreadable: size and mtime still identify it
      }
    }
    omitted.push(o);
  }
  omitted.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { kept, omitted };
}

/**
 * Records the working tree like `git stash create`, plus untracked, non-ignored files within the
 * size caps — through a private index file, so the user's index, HEAD and branches never change.
 * Untracked files are stat'ed before anything reads them: a file over the per-file cap, or past the
 * total cap, is never read by git (only hashed, when it is small, to identify it) and is listed in
 * `omitted` instead. Files matching `.gitmlignore` (gitignore syntax, at the top of the work tree)
 * are left out silently, as if ignored. Mode `off` runs no git at all. Needs the git binary (it
 * honours every ignore rule and attribute); without it the source is HEAD and `dirty` is null.
 */
export function snapshotWorkTree(gitDir: string, workTree: string, head: string | null, settings: SnapshotSettings): SourceSnapshot {
  const base = { commit: head, head, dirty: null };
  if (settings.mode === 'off') return { ...base, settings };
  const run = (args: string[], opts: { extra?: NodeJS.ProcessEnv; input?: string; ok?: number[] } = {}): string => {
    const r = runGitSync(['--git-dir', gitDir, '--work-tree', workTree, ...args], { cwd: workTree, env: opts.extra, input: opts.input });
    if (!(opts.ok ?? [0]).includes(r.status)) throw new GitFailed(`git ${args[0]}: ${gitReason(r)}`);
    return r.stdout;
  };
  let status: { tracked: boolean; untracked: string[] };
  try {
    status = parseStatus(run(['--no-optional-locks', 'status', '--porcelain', '-z', '--untracked-files=all', '--ignore-submodules=dirty']));
  } catch (err) {
    if (err instanceof GitFailed || (err instanceof GitMlError && err.code === 'GIT_NOT_FOUND')) return base;
    throw err;
  }
  if (!status.tracked && status.untracked.length === 0) return { commit: head, head, dirty: false, settings, omitted: [] };
  const tmp = mkdtempSync(join(tmpdir(), 'git-ml-index-'));
  try {
    let untracked = status.untracked;
    const mlIgnore = join(workTree, '.gitmlignore');
    if (untracked.length && existsSync(mlIgnore)) {
      // the listed files passed every standard ignore rule already, so whatever matches now matches .gitmlignore
      const matched = run(['-c', `core.excludesFile=${mlIgnore}`, 'check-ignore', '--stdin', '-z'], { input: untracked.join('\0') + '\0', ok: [0, 1] });
      const drop = new Set(matched.split('\0').filter(Boolean));
      untracked = untracked.filter((p) => !drop.has(p));
    }
    const { kept, omitted } = choose(workTree, untracked, settings);
    if (!status.tracked && kept.length === 0) return { commit: head, head, dirty: true, settings, omitted };
    const index = join(tmp, 'index');
    const real = join(gitDir, 'index');
    const realStat = statSync(real, { throwIfNoEntry: false });
    if (realStat) {
      copyFileSync(real, index);
      // keep the index's own mtime: git re-reads an entry as new as the index ("racy git"); a copy
      // stamped now would make a same-size edit from the commit's second look unchanged to `add -u`
      utimesSync(index, realStat.atime, realStat.mtime);
    }
    const idx = { GIT_INDEX_FILE: index };
    if (!existsSync(index) && head) run(['read-tree', head], { extra: idx });
    if (status.tracked) run(['add', '-u', '--', '.'], { extra: idx });
    if (kept.length) run(['--literal-pathspecs', 'add', '--pathspec-from-file=-', '--pathspec-file-nul'], { extra: idx, input: kept.join('\0') + '\0' });
    const tree = run(['write-tree'], { extra: idx }).trim();
    if (head && run(['rev-parse', `${head}^{tree}`]).trim() === tree) return { commit: head, head, dirty: true, settings, omitted };
    const args = ['commit-tree', tree, '-m', `git-ml: snapshot of the working tree${head ? ` on ${head.slice(0, 12)}` : ''}`];
    if (head) args.push('-p', head);
    const who = { GIT_AUTHOR_NAME: 'git-ml', GIT_AUTHOR_EMAIL: 'git-ml@localhost', GIT_COMMITTER_NAME: 'git-ml', GIT_COMMITTER_EMAIL: 'git-ml@localhost' };
    const commit = run(args, { extra: { ...idx, ...who } }).trim();
    return { commit, head, dirty: true, settings, omitted };
  } catch (err) {
    if (err instanceof GitFailed || (err instanceof GitMlError && err.code === 'GIT_NOT_FOUND')) return base;
    throw err;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export type { SnapshotMode, SnapshotSettings };
