/*
 * The child process of the http(s) fallback (see run.ts): reads one request as JSON on stdin, runs
 * it, writes one JSON answer on stdout ({ ok } or { error: { code, message, data } }) and exits.
 */
import { readFileSync, writeSync } from 'node:fs';
import { GitMlError } from '../../errors.js';
import type { HttpRemote } from '../remote.js';
import { httpFetch, httpLsRemote } from './fetch.js';
import { httpPush } from './push.js';

export type ChildRequest =
  | { op: 'fetch'; commonDir: string; remote: HttpRemote; refspecs: string[]; tags: boolean }
  | { op: 'push'; commonDir: string; remote: HttpRemote; args: string[] }
  | { op: 'ls-remote'; remote: HttpRemote; args: string[] };

async function run(req: ChildRequest): Promise<unknown> {
  switch (req.op) {
    case 'fetch':
      return httpFetch(req.commonDir, req.remote, req.refspecs, req.tags);
    case 'push':
      return httpPush(req.commonDir, req.remote, req.args);
    case 'ls-remote':
      return httpLsRemote(req.remote, req.args);
  }
}

function answer(value: unknown): never {
  const buf = Buffer.from(JSON.stringify(value));
  let off = 0;
  while (off < buf.length) off += writeSync(1, buf, off);
  // an http agent's idle sockets would keep the process alive for seconds
  process.exit(0);
}

try {
  answer({ ok: await run(JSON.parse(readFileSync(0, 'utf8')) as ChildRequest) });
} catch (err) {
  if (err instanceof GitMlError) answer({ error: { code: err.code, message: err.message, data: err.data } });
  const e = err as Error;
  answer({ error: { code: 'INTERNAL', message: `git-ml's http transport failed unexpectedly; this is a bug, please report it: ${e?.stack ?? String(err)}`, data: {} } });
}
