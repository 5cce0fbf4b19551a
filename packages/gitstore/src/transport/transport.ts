import { GitMlError } from '../errors.js';
import { gitOrThrow, gitReason, runGitSync } from '../repo/git-process.js';

const PURPOSE = 'push and pull use it for transport (your remotes, credentials and ssh keys)';

/**
 * Fetches `refspecs` from `remote` into this repository with the user's git (their remotes,
 * credentials, ssh keys and proxies). Progress and prompts go to the terminal.
 */
export function fetchRefs(repoDir: string, remote: string, refspecs: string[], options: { tags?: boolean } = {}): void {
  gitOrThrow(['fetch', options.tags ? '--tags' : '--no-tags', '--quiet', remote, ...refspecs], { cwd: repoDir, captureStderr: true, purpose: PURPOSE });
}

/**
 * `git push --porcelain` with the user's git: the refs it updated and the ones the remote refused
 * (with git's reason). A failure that refused no ref (no network, no such remote) is thrown.
 */
export function pushRefs(repoDir: string, remote: string, args: string[]): { pushed: string[]; rejected: { ref: string; reason: string }[] } {
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
  return runGitSync(['merge-base', '--is-ancestor', a, b], { cwd: repoDir }).status === 0;
}

/** The best common ancestor of two commits, or null. */
export function mergeBase(repoDir: string, a: string, b: string): string | null {
  const r = runGitSync(['merge-base', a, b], { cwd: repoDir });
  return r.status === 0 ? r.stdout.trim() : null;
}
