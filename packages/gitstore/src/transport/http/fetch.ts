import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import git from 'isomorphic-git';
import { GitMlError } from '../../errors.js';
import { ObjectStore, objectsDirOf } from '../../objects/object-store.js';
import { gitMlTmpDir } from '../../pack/writer.js';
import { RefStore } from '../../refs/ref-store.js';
import { mapRef, parseRefspec, tailMatches, type Refspec } from '../refspec.js';
import type { HttpRemote } from '../remote.js';
import { walkIsAncestor } from '../walk.js';
import { FLUSH, pkt, readPkts, sideBand } from './pkt-line.js';
import { HttpSession } from './session.js';

/** Asks for the capabilities we use among those the server offers (`agent` is ours, not its). */
export function pickCapabilities(offered: Set<string>, wanted: string[]): string[] {
  const names = new Set([...offered].map((c) => c.split('=')[0]));
  return wanted.filter((c) => names.has(c.split('=')[0]));
}

export const AGENT = 'agent=git-ml-isomorphic-git';

/** `git ls-remote [--tags] [--heads] [--refs] URL [patterns]` over http(s). */
export async function httpLsRemote(remote: HttpRemote, args: string[]): Promise<[string, string][]> {
  const ad = await new HttpSession(remote).discover(false);
  const options = new Set(args.filter((a) => a.startsWith('--')));
  const patterns = args.filter((a) => !a.startsWith('--'));
  const kinds = [options.has('--tags') ? 'refs/tags/' : '', options.has('--heads') || options.has('--branches') ? 'refs/heads/' : ''].filter(Boolean);
  const refsOnly = options.has('--refs');
  const out: [string, string][] = [];
  const keep = (ref: string) => (kinds.length === 0 || kinds.some((k) => ref.startsWith(k))) && (patterns.length === 0 || patterns.some((p) => tailMatches(p, ref)));
  if (ad.head && !refsOnly && kinds.length === 0 && keep('HEAD')) out.push(['HEAD', ad.head.oid]);
  for (const [ref, oid] of ad.refs) {
    if (!keep(ref)) continue;
    out.push([ref, oid]);
    const peeled = ad.peeled.get(ref);
    if (peeled && !refsOnly) out.push([`${ref}^{}`, peeled]);
  }
  return out;
}

/**
 * `git fetch [--tags] URL refspecs…` over http(s): lists the remote's refs, asks its upload-pack for
 * the objects we lack (telling it every object our refs hold, so it sends only the difference),
 * keeps the pack it sends (indexed by isomorphic-git), then moves the local refs with gitstore's
 * locked compare-and-swap updates. A ref that is neither new, forced (`+`) nor a fast-forward is
 * left alone and reported, as git does.
 */
export async function httpFetch(commonDir: string, remote: HttpRemote, refspecs: string[], tags: boolean): Promise<{ updated: string[] }> {
  const session = new HttpSession(remote);
  const ad = await session.discover(false);
  const specs: Refspec[] = refspecs.map(parseRefspec);
  if (tags) specs.push({ force: false, src: 'refs/tags/*', dst: 'refs/tags/*' });
  for (const s of specs) {
    if (!s.src.includes('*') && !ad.refs.has(s.src)) {
      throw new GitMlError('REMOTE_REF_NOT_FOUND', `${remote.name} has no ref ${s.src}. Check the name: it must be a full ref name, such as refs/heads/main.`, { remote: remote.name, ref: s.src });
    }
  }
  const updates: { ref: string; oid: string; force: boolean }[] = [];
  for (const [ref, oid] of ad.refs) {
    for (const s of specs) {
      const dst = mapRef(s, ref);
      if (dst) {
        updates.push({ ref: dst, oid, force: s.force });
        break;
      }
    }
  }
  const objects = new ObjectStore(objectsDirOf(commonDir));
  const wants = [...new Set(objects.missing(updates.map((u) => u.oid)))];
  if (wants.length > 0) {
    await fetchPack(session, ad.capabilities, commonDir, wants);
    const still = objects.missing(wants);
    if (still.length > 0) throw new GitMlError('REMOTE_FAILED', `${remote.name} sent a pack without ${still[0]} (one of the objects asked for). Retry; if it persists, the remote repository may be damaged.`, { remote: remote.name });
  }
  const refs = new RefStore(commonDir);
  const moves: { ref: string; expect: string | null; value: string }[] = [];
  const refused: string[] = [];
  for (const u of updates) {
    const old = refs.read(u.ref);
    if (old === u.oid) continue;
    if (old && !u.force) {
      const why = u.ref.startsWith('refs/tags/') ? 'would clobber existing tag' : isFastForward(objects, old, u.oid) ? null : 'non-fast-forward';
      if (why) {
        refused.push(`${u.ref} (${why})`);
        continue;
      }
    }
    moves.push({ ref: u.ref, expect: old, value: u.oid });
  }
  if (moves.length > 0) refs.update(moves);
  if (refused.length > 0) {
    throw new GitMlError('FETCH_REJECTED', `Fetching from ${remote.name} left ${refused.length} ref${refused.length === 1 ? '' : 's'} unchanged: ${refused.join(', ')}. Force them with a + refspec, or reconcile them first.`, { remote: remote.name, refused });
  }
  return { updated: moves.map((m) => m.ref) };
}

/** True when `old` → `next` moves a commit forward along its history. */
export function isFastForward(objects: ObjectStore, old: string, next: string): boolean {
  return objects.header(old).type === 'commit' && objects.header(next).type === 'commit' && walkIsAncestor(objects, old, next);
}

/** One stateless upload-pack round: all wants, all haves, done; keeps the pack the server answers with. */
async function fetchPack(session: HttpSession, offered: Set<string>, commonDir: string, wants: string[]): Promise<void> {
  const caps = pickCapabilities(offered, ['side-band-64k', 'ofs-delta', 'no-progress', AGENT]);
  const objects = new ObjectStore(objectsDirOf(commonDir));
  const tips = [...new Set(new RefStore(commonDir).list('refs/').values())];
  const lacking = new Set(objects.missing(tips));
  // what our refs hold, so the server sends only the difference (git stops offering after a while too)
  const haves = tips.filter((oid) => !lacking.has(oid)).slice(0, 10_000);
  const body = Buffer.concat([
    ...wants.map((w, i) => pkt(i === 0 ? `want ${w} ${caps.join(' ')}\n` : `want ${w}\n`)),
    FLUSH,
    ...haves.map((h) => pkt(`have ${h}\n`)),
    pkt('done\n'),
  ]);
  const res = await session.post('git-upload-pack', body);
  let pack: Buffer;
  if (caps.includes('side-band-64k')) {
    // ACK/NAK (and shallow) lines come first, then the multiplexed pack
    const pkts = [...readPkts(res)];
    const first = pkts.findIndex((p) => p !== null && p.length > 0 && p[0] <= 3);
    const { data, error } = sideBand(first < 0 ? [] : pkts.slice(first));
    if (error) throw new GitMlError('REMOTE_FAILED', `The remote could not send the objects: ${error}.`, { error });
    pack = data;
  } else {
    pack = res.subarray(Math.max(0, res.indexOf('PACK')));
  }
  if (pack.length < 32 || pack.toString('latin1', 0, 4) !== 'PACK') {
    throw new GitMlError('REMOTE_FAILED', `The remote answered the fetch without a pack (${res.length} bytes). Retry; if it persists, fetch with git on another machine.`, {});
  }
  await keepPack(commonDir, pack);
}

/**
 * Indexes a received pack with isomorphic-git in git-ml's temporary area, then renames the pack and
 * its index into `objects/pack` (index last: readers find a pack by its index).
 */
async function keepPack(commonDir: string, pack: Buffer): Promise<void> {
  const objectsDir = objectsDirOf(commonDir);
  const name = `pack-${pack.subarray(pack.length - 20).toString('hex')}`;
  const tmp = join(gitMlTmpDir(objectsDir), `fetch-${process.pid}-${randomBytes(4).toString('hex')}`);
  fs.mkdirSync(tmp, { recursive: true });
  try {
    fs.writeFileSync(join(tmp, `${name}.pack`), pack, { mode: 0o444 });
    await git.indexPack({ fs, dir: tmp, gitdir: commonDir, filepath: `${name}.pack` });
    const packDir = join(objectsDir, 'pack');
    fs.mkdirSync(packDir, { recursive: true });
    for (const ext of ['pack', 'idx']) {
      const final = join(packDir, `${name}.${ext}`);
      // a name is the pack's checksum: an existing file holds these exact objects
      if (!fs.existsSync(final)) fs.renameSync(join(tmp, `${name}.${ext}`), final);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
