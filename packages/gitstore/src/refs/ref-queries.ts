import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readPackedRefs } from './packed-refs.js';

/**
 * The ref `<prefix><any>/<name>` (one level below `prefix`, e.g. a run id under any experiment),
 * loose or packed, without listing every ref: one directory read and the (cached) packed-refs.
 */
export function findRefOneLevelDown(commonDir: string, prefix: string, name: string): string | null {
  const root = join(commonDir, prefix);
  let dirs: string[] = [];
  try {
    dirs = readdirSync(root);
  } catch {
    // no loose refs under the prefix
  }
  for (const d of dirs) if (existsSync(join(root, d, name))) return `${prefix}${d}/${name}`;
  const suffix = `/${name}`;
  for (const ref of readPackedRefs(commonDir).refs.keys()) {
    if (ref.startsWith(prefix) && ref.endsWith(suffix) && !ref.slice(prefix.length, -suffix.length).includes('/')) return ref;
  }
  return null;
}

/** A cache key that changes whenever a ref under `prefix` may have changed (or packed-refs did). */
export interface ChangeStamp {
  stamp: string;
  /** something changed so recently that a change within the same timestamp tick would not show */
  racy: boolean;
}

/** A directory changed this recently may change again within the same timestamp tick. */
const RACY_MS = 2000;

/**
 * The change stamp of the refs under `prefix`, two directory levels deep (e.g. `refs/ml/runs/<exp>/`),
 * plus packed-refs: inode, mtime and size of each. Cheap: no ref file is read.
 */
export function refsChangeStamp(commonDir: string, prefix: string): ChangeStamp {
  const root = join(commonDir, prefix);
  const now = Date.now();
  let racy = false;
  const parts: string[] = [];
  const add = (p: string) => {
    const st = statSync(p, { throwIfNoEntry: false, bigint: true });
    if (!st) return parts.push(`${p}:-`);
    if (now - Number(st.mtimeMs) < RACY_MS) racy = true;
    parts.push(`${p}:${st.ino}:${st.mtimeNs}:${st.size}`);
  };
  add(join(commonDir, 'packed-refs'));
  add(root);
  try {
    for (const d of readdirSync(root)) add(join(root, d));
  } catch {
    // nothing under the prefix yet
  }
  return { stamp: parts.join('|'), racy };
}

/**
 * A stamp of `packed-refs` and the given ref directories themselves (not their children): changes
 * when a ref directly in one of them is added or removed, or refs are packed. `newest` is the latest
 * mtime seen, for callers that distrust changes within one timestamp tick.
 */
export function refDirsStamp(commonDir: string, prefixes: string[]): { stamp: string; newest: number } {
  let newest = 0;
  const parts = [join(commonDir, 'packed-refs'), ...prefixes.map((p) => join(commonDir, p))].map((p) => {
    const st = statSync(p, { throwIfNoEntry: false, bigint: true });
    if (!st) return '-';
    newest = Math.max(newest, Number(st.mtimeMs));
    return `${st.ino}:${st.mtimeNs}:${st.size}`;
  });
  return { stamp: parts.join('|'), newest };
}
