import { spawnSync } from 'node:child_process';
import { GitMlError } from '@git-ml/gitstore';

/**
 * Runs the user's own git for transport, so their remotes, credentials, ssh keys and proxies just
 * work. stderr (progress, prompts) goes to the terminal unless captured.
 */
export function git(cwd: string, args: string[], opts: { capture?: boolean; allowFail?: boolean } = {}): { status: number; stdout: string; stderr: string } {
  const r = spawnSync('git', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['inherit', 'pipe', opts.capture ? 'pipe' : 'inherit'],
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.error) {
    throw new GitMlError('GIT_NOT_FOUND', `Could not run git (${r.error.message}). Install git and make sure it is on PATH; push and pull use it for transport.`, {}, { cause: r.error });
  }
  const res = { status: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  if (res.status !== 0 && !opts.allowFail) {
    throw new GitMlError('GIT_FAILED', `git ${args.join(' ')} failed (exit ${res.status})${res.stderr ? `: ${res.stderr.trim()}` : ''}`, { args, status: res.status });
  }
  return res;
}

export function isAncestor(cwd: string, a: string, b: string): boolean {
  return git(cwd, ['merge-base', '--is-ancestor', a, b], { capture: true, allowFail: true }).status === 0;
}

export function mergeBase(cwd: string, a: string, b: string): string | null {
  const r = git(cwd, ['merge-base', a, b], { capture: true, allowFail: true });
  return r.status === 0 ? r.stdout.trim() : null;
}

/**
 * `git push --porcelain` with the user's git: the refs it updated and the ones the remote refused
 * (with git's reason). A failure that refused no ref (no network, no such remote) is thrown.
 */
export function pushRefs(cwd: string, remote: string, args: string[]): { pushed: string[]; rejected: { ref: string; reason: string }[] } {
  const r = git(cwd, ['push', '--porcelain', ...args.filter((a) => a.startsWith('--')), remote, ...args.filter((a) => !a.startsWith('--'))], { capture: true, allowFail: true });
  const pushed: string[] = [];
  const rejected: { ref: string; reason: string }[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /^([ +\-*=!])\t([^:]+):(\S+)\t(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === '!') rejected.push({ ref: m[3], reason: m[4] });
    else if (m[1] !== '=') pushed.push(m[3]);
  }
  if (r.status !== 0 && rejected.length === 0) {
    throw new GitMlError('GIT_FAILED', `git push ${remote} failed: ${r.stderr.trim() || r.stdout.trim()}`, { remote });
  }
  return { pushed, rejected };
}
