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
  /** sha256 ids the new commits point to whose content this clone does not hold (so cannot upload) */
  absent: string[];
}

/**
 * The warning for a push whose new commits point to LFS content this clone does not hold (runs
 * pulled without their artifacts, then pushed elsewhere), or null when there is none.
 */
export function absentLfsWarning(walk: LfsPushWalk, remote: string): string | null {
  if (walk.absent.length === 0) return null;
  const n = walk.absent.length;
  const some = walk.absent.slice(0, 2).map((oid) => oid.slice(0, 12)).join(', ');
  return (
    `git-ml: warning: ${n} Git LFS object${n === 1 ? '' : 's'} the pushed commits point to ${n === 1 ? 'is' : 'are'} not in this clone (${some}${n > 2 ? ', …' : ''}), so ${n === 1 ? 'it was' : 'they were'} not uploaded to ${remote}; ` +
    `unless ${remote} has ${n === 1 ? 'it' : 'them'} already, fetch ${n === 1 ? 'it' : 'them'} where ${n === 1 ? 'it is' : 'they are'} (\`git lfs fetch --all <remote>\`) and push again.\n`
  );
}

/**
 * The LFS objects a push of `tips` must upload: every pointer in any commit reachable from `tips`
 * but not from `remoteTips` (the remote's refs), whose content this clone holds — much the set
 * git-lfs's pre-push hook uploads. Only the new commits and the objects they add are read, so the
 * cost is what is being pushed, however long the history behind it; what the remote's refs reach
 * already went up with an earlier push.
 */
export function lfsObjectsToPush(objects: ObjectStore, lfs: LfsStore, cwd: string, tips: string[], remoteTips: Iterable<string>): LfsPushWalk {
  if (tips.length === 0) return { oids: [], commits: 0, absent: [] };
  // remote tips this clone lacks cannot be named to rev-list (its --ignore-missing skips only arguments)
  const theirs = [...new Set(remoteTips)];
  const absent = new Set(objects.missing(theirs));
  const known = theirs.filter((oid) => !absent.has(oid));
  const input = `${[...new Set(tips), ...known.map((oid) => `^${oid}`)].join('\n')}\n`;
  const listed = gitOrThrow(['rev-list', '--objects', '--no-object-names', '--stdin'], { cwd, input }).stdout;
  const oids = new Set<string>();
  const missing = new Set<string>();
  let commits = 0;
  for (const oid of listed.split('\n')) {
    if (!oid) continue;
    const { type, size } = objects.header(oid);
    if (type === 'commit') commits++;
    else if (type === 'blob' && size <= MAX_POINTER_SIZE) {
      const p = parsePointer(objects.readBlob(oid));
      if (p && lfs.has(p)) oids.add(p.oid);
      else if (p) missing.add(p.oid);
    }
  }
  return { oids: [...oids], commits, absent: [...missing] };
}
