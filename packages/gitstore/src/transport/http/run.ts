import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { GitMlError } from '../../errors.js';
import type { ChildRequest } from './child.js';

const CHILD = fileURLToPath(new URL('./child.js', import.meta.url));

/**
 * Runs one isomorphic-git transport request in a child Node process and waits for it.
 *
 * isomorphic-git is asynchronous and gitstore's transport is not (its callers, pull and push, are
 * synchronous). A child process (`spawnSync` of this same Node, JSON in and out) keeps the API
 * synchronous with no shared memory to size and no event-loop tricks; a crash or a hang in the
 * network code cannot corrupt the caller; and its start (~0.4 s on a busy 2-core machine, mostly
 * loading isomorphic-git) is small next to a push or pull over the network. (A worker thread waited on with `Atomics.wait` would start faster, but would need its answer
 * squeezed through a fixed SharedArrayBuffer and would share the caller's heap.)
 */
export function runHttpChild<T>(req: ChildRequest): T {
  const r = spawnSync(process.execPath, [CHILD], { input: JSON.stringify(req), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['pipe', 'pipe', 'pipe'] });
  if (r.error) throw new GitMlError('INTERNAL', `Could not start git-ml's http transport (${process.execPath} ${CHILD}): ${r.error.message}. This is a bug; please report it.`, {}, { cause: r.error });
  let answer: { ok?: T; error?: { code: string; message: string; data: Record<string, unknown> } };
  try {
    answer = JSON.parse(r.stdout);
  } catch {
    const why = (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ');
    throw new GitMlError('INTERNAL', `git-ml's http transport exited ${r.status ?? r.signal} without an answer: ${why}. This is a bug; please report it.`, {});
  }
  if (answer.error) throw new GitMlError(answer.error.code, answer.error.message, answer.error.data);
  return answer.ok as T;
}
