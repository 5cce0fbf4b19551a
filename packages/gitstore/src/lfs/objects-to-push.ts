import type { ObjectStore } from '../objects/object-store.js';
import { gitOrThrow } from '../repo/git-process.js';
import type { LfsStore } from './lfs-store.js';
import { MAX_POINTER_SIZE, parsePointer } from './pointer.js';

/** What a push's LFS walk found: the objects to upload and how many commits it read to find them. */
export interface LfsPushWalk {
  /** sha256 ids of the LFS objects held here that the new commits point to */
  oids: string[];
  /** commits walked: those reachable from the pushed tips and from none of the remote's */
  commits: number;
}

/**
 * The LFS objects a push of `tips` must upload: every pointer in any commit reachable from `tips`
 * but not from `remoteTips` (the remote's refs), whose content this clone holds — much the set
 * git-lfs's pre-push hook uploads. Only the new commits and the objects they add are read, so the
 * cost is what is being pushed, however long the history behind it; what the remote's refs reach
 * already went up with an earlier push.
 */
export function lfsObjectsToPush(objects: ObjectStore, lfs: LfsStore, cwd: string, tips: string[], remoteTips: Iterable<string>): LfsPushWalk {
  if (tips.length === 0) return { oids: [], commits: 0 };
  // remote tips this clone lacks cannot be named to rev-list (its --ignore-missing skips only arguments)
  const theirs = [...new Set(remoteTips)];
  const absent = new Set(objects.missing(theirs));
  const known = theirs.filter((oid) => !absent.has(oid));
  const input = `${[...new Set(tips), ...known.map((oid) => `^${oid}`)].join('\n')}\n`;
  const listed = gitOrThrow(['rev-list', '--objects', '--no-object-names', '--stdin'], { cwd, input }).stdout;
  const oids = new Set<string>();
  let commits = 0;
  for (const oid of listed.split('\n')) {
    if (!oid) continue;
    const { type, size } = objects.header(oid);
    if (type === 'commit') commits++;
    else if (type === 'blob' && size <= MAX_POINTER_SIZE) {
      const p = parsePointer(objects.readBlob(oid));
      if (p && lfs.has(p)) oids.add(p.oid);
    }
  }
  return { oids: [...oids], commits };
}
