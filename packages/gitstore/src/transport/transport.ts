import { GitMlError } from '../errors.js';
import { ObjectStore, objectsDirOf } from '../objects/object-store.js';
import { findRepository } from '../repo/find-repository.js';
import { gitAvailable, gitOrThrow, gitReason, runGitSync } from '../repo/git-process.js';
import { runHttpChild } from './http/run.js';
import { resolveHttpRemote } from './remote.js';
import { walkIsAncestor, walkMergeBase } from './walk.js';

/*
 * Transport has two implementations. The user's git binary is preferred whenever it is installed:
 * it speaks ssh and every protocol, uses their credential helpers, proxies and config. Without it,
 * http(s) remotes are reached through isomorphic-git (in a child process, see http/run.ts), with
 * credentials from the URL or GIT_ML_HTTP_USERNAME / GIT_ML_HTTP_PASSWORD; other remotes get an
 * error that says git is needed for them.
 */

const PURPOSE = 'push and pull use it for transport (your remotes, credentials and ssh keys)';

function commonDirOf(repoDir: string): string {
  return findRepository(repoDir).commonDir;
}

/**
 * Fetches `refspecs` from `remote` into this repository with the user's git (their remotes,
 * credentials, ssh keys and proxies), or over http(s) through isomorphic-git when git is not installed.
 */
export function fetchRefs(repoDir: string, remote: string, refspecs: string[], options: { tags?: boolean } = {}): void {
  if (!gitAvailable()) {
    const commonDir = commonDirOf(repoDir);
    runHttpChild({ op: 'fetch', commonDir, remote: resolveHttpRemote(commonDir, remote, false), refspecs, tags: options.tags ?? false });
    return;
  }
  gitOrThrow(['fetch', options.tags ? '--tags' : '--no-tags', '--quiet', remote, ...refspecs], { cwd: repoDir, captureStderr: true, purpose: PURPOSE });
}

/**
 * `git push --porcelain` with the user's git (or isomorphic-git over http(s) without one): the refs
 * it updated and the ones the remote refused (with git's reason, e.g. `[rejected] (non-fast-forward)`).
 * A failure that refused no ref (no network, no such remote) is thrown.
 */
export function pushRefs(repoDir: string, remote: string, args: string[]): { pushed: string[]; rejected: { ref: string; reason: string }[] } {
  if (!gitAvailable()) {
    const commonDir = commonDirOf(repoDir);
    return runHttpChild({ op: 'push', commonDir, remote: resolveHttpRemote(commonDir, remote, true), args });
  }
  const r = runGitSync(['push', '--porcelain', ...args.filter((a) => a.startsWith('--')), remote, ...args.filter((a) => !a.startsWith('--'))], { cwd: repoDir, purpose: PURPOSE });
  const pushed: string[] = [];
  const rejected: { ref: string; reason: string }[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /^([ +\-*=!])\t([^:]+):(\S+)\t(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === '!') rejected.push({ ref: m[3], reason: m[4] });
    else if (m[1] !== '=') pushed.push(m[3]);
  }
  if (r.status !== 0 && rejected.length === 0) {
    throw new GitMlError('GIT_FAILED', `git push ${remote} failed: ${r.stderr.trim() ? gitReason(r) : r.stdout.trim()}`, { remote });
  }
  return { pushed, rejected };
}

/** The remote's refs (`git ls-remote [--options] REMOTE [patterns]`), as ref → object id. */
export function lsRemote(repoDir: string, remote: string, args: string[] = []): Map<string, string> {
  if (!gitAvailable()) {
    return new Map(runHttpChild<[string, string][]>({ op: 'ls-remote', remote: resolveHttpRemote(commonDirOf(repoDir), remote, false), args }));
  }
  const options = args.filter((a) => a.startsWith('--'));
  const patterns = args.filter((a) => !a.startsWith('--'));
  const r = gitOrThrow(['ls-remote', ...options, remote, ...patterns], { cwd: repoDir, purpose: PURPOSE });
  const out = new Map<string, string>();
  for (const line of r.stdout.split('\n')) {
    const [oid, ref] = line.split('\t');
    if (oid && ref) out.set(ref, oid);
  }
  return out;
}

/** True when commit `a` is an ancestor of `b` (or equal). */
export function isAncestor(repoDir: string, a: string, b: string): boolean {
  if (!gitAvailable()) return walkIsAncestor(new ObjectStore(objectsDirOf(commonDirOf(repoDir))), a, b);
  return runGitSync(['merge-base', '--is-ancestor', a, b], { cwd: repoDir }).status === 0;
}

/** The best common ancestor of two commits, or null. */
export function mergeBase(repoDir: string, a: string, b: string): string | null {
  if (!gitAvailable()) return walkMergeBase(new ObjectStore(objectsDirOf(commonDirOf(repoDir))), a, b);
  const r = runGitSync(['merge-base', a, b], { cwd: repoDir });
  return r.status === 0 ? r.stdout.trim() : null;
}
