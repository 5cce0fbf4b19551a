import * as fs from 'node:fs';
import git from 'isomorphic-git';
import { GitMlError } from '../../errors.js';
import { ObjectStore, objectsDirOf } from '../../objects/object-store.js';
import { RefStore } from '../../refs/ref-store.js';
import { parseRefspec } from '../refspec.js';
import type { HttpRemote } from '../remote.js';
import { objectsToSend } from '../walk.js';
import { AGENT, isFastForward, pickCapabilities } from './fetch.js';
import { FLUSH, pkt, readPkts, sideBand } from './pkt-line.js';
import { HttpSession } from './session.js';

const ZERO = '0'.repeat(40);

export interface PushOutcome {
  pushed: string[];
  rejected: { ref: string; reason: string }[];
}

/**
 * `git push [--atomic] [--force] URL refspecs…` over http(s): refspecs are expanded against our
 * refs, each update is checked the way git checks it (a tag that exists, a remote commit we do not
 * have, a non-fast-forward: refused with git's reason unless forced), the objects the remote lacks
 * are packed by isomorphic-git and sent to its receive-pack, whose per-ref report is returned.
 */
export async function httpPush(commonDir: string, remote: HttpRemote, args: string[]): Promise<PushOutcome> {
  const atomic = args.includes('--atomic');
  const forceAll = args.includes('--force') || args.includes('-f');
  const specs = args.filter((a) => !a.startsWith('-')).map(parseRefspec);
  const refs = new RefStore(commonDir);
  const objects = new ObjectStore(objectsDirOf(commonDir));
  const commands = new Map<string, { value: string; force: boolean }>();
  for (const s of specs) {
    const star = s.src.indexOf('*');
    if (star < 0) {
      const value = refs.read(s.src);
      if (!value) throw new GitMlError('REF_NOT_FOUND', `Nothing to push for ${s.src}: there is no such ref here. Check the name (a full ref name, such as refs/heads/main).`, { ref: s.src });
      commands.set(s.dst, { value, force: s.force || forceAll });
      continue;
    }
    const head = s.src.slice(0, star);
    const tail = s.src.slice(star + 1);
    for (const [ref, value] of refs.list(head.slice(0, head.lastIndexOf('/') + 1))) {
      if (ref.length < head.length + tail.length || !ref.startsWith(head) || !ref.endsWith(tail)) continue;
      commands.set(s.dst.replace('*', ref.slice(head.length, ref.length - tail.length)), { value, force: s.force || forceAll });
    }
  }
  if (commands.size === 0) return { pushed: [], rejected: [] };

  const session = new HttpSession(remote);
  const ad = await session.discover(true);
  const lacking = new Set(objects.missing(ad.refs.values()));
  const rejected: PushOutcome['rejected'] = [];
  const send: { ref: string; old: string; value: string }[] = [];
  for (const [ref, c] of commands) {
    const old = ad.refs.get(ref) ?? null;
    if (old === c.value) continue;
    if (old && !c.force) {
      const why = ref.startsWith('refs/tags/') ? 'already exists' : lacking.has(old) ? 'fetch first' : isFastForward(objects, old, c.value) ? null : 'non-fast-forward';
      if (why) {
        rejected.push({ ref, reason: `[rejected] (${why})` });
        continue;
      }
    }
    send.push({ ref, old: old ?? ZERO, value: c.value });
  }
  if (send.length === 0) return { pushed: [], rejected };
  if (atomic && rejected.length > 0) {
    return { pushed: [], rejected: [...rejected, ...send.map((s) => ({ ref: s.ref, reason: '[rejected] (atomic push failed)' }))] };
  }
  if (atomic && !ad.capabilities.has('atomic')) {
    throw new GitMlError('REMOTE_FAILED', `${remote.name} does not support atomic pushes, which this push needs (model records and their version tags land together). Push with git installed, or to a newer git server.`, { remote: remote.name });
  }

  const haves = [...new Set(ad.refs.values())].filter((oid) => !lacking.has(oid));
  const oids = objectsToSend(objects, [...new Set(send.map((s) => s.value))], haves);
  const { packfile } = await git.packObjects({ fs, gitdir: commonDir, oids, write: false });
  const caps = pickCapabilities(ad.capabilities, ['report-status', 'side-band-64k', 'quiet', ...(atomic ? ['atomic'] : []), AGENT]);
  const body = Buffer.concat([
    ...send.map((s, i) => pkt(`${s.old} ${s.value} ${s.ref}${i === 0 ? `\0${caps.join(' ')}` : ''}\n`)),
    FLUSH,
    Buffer.from(packfile!),
  ]);
  const res = await session.post('git-receive-pack', body);
  let report = res;
  if (caps.includes('side-band-64k')) {
    const { data, error } = sideBand(readPkts(res));
    if (error) throw new GitMlError('REMOTE_FAILED', `${remote.name} refused the push: ${error}.`, { remote: remote.name, error });
    report = data;
  }
  const pushed: string[] = [];
  for (const p of readPkts(report)) {
    if (p === null) continue;
    const line = p.toString('utf8').replace(/\n$/, '');
    if (line.startsWith('unpack ') && line !== 'unpack ok') {
      throw new GitMlError('REMOTE_FAILED', `${remote.name} could not store the pushed objects (${line.slice(7)}). Nothing was updated; retry, and check the server's disk and logs if it persists.`, { remote: remote.name });
    }
    if (line.startsWith('ok ')) pushed.push(line.slice(3));
    else if (line.startsWith('ng ')) {
      const [ref, ...why] = line.slice(3).split(' ');
      rejected.push({ ref, reason: `[remote rejected] (${why.join(' ')})` });
    }
  }
  return { pushed, rejected };
}
