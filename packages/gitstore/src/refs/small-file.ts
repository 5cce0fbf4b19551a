import { readFileSync, statSync, type Stats } from 'node:fs';

/** A file changed this recently may change again without its stat showing it (same timestamp tick). */
const RACY_MS = 100;
const MAX_ENTRIES = 10_000;

interface Cached {
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  text: string;
}

const cache = new Map<string, Cached>();

function notThere(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR';
}

/**
 * A small file's text, trimmed (a loose ref, HEAD), or null when there is no such file. Read once,
 * then only a `stat` while its inode, size, mtime and ctime stay the same. A file changed within
 * RACY_MS before it was read is not trusted (read again next time): a change made in the same
 * timestamp tick could leave its stat unchanged — git's "racily clean" rule. A later change gives
 * it a newer ctime, which no one can set back, so a cached text is never stale.
 */
export function readSmallFile(path: string): string | null {
  let st: Stats | undefined;
  try {
    st = statSync(path, { throwIfNoEntry: false });
  } catch (err) {
    if (notThere(err)) return null;
    throw err;
  }
  if (!st || !st.isFile()) {
    cache.delete(path);
    return null;
  }
  const hit = cache.get(path);
  if (hit && hit.ino === st.ino && hit.size === st.size && hit.mtimeMs === st.mtimeMs && hit.ctimeMs === st.ctimeMs) return hit.text;
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (err) {
    cache.delete(path);
    if (notThere(err)) return null;
    throw err;
  }
  // the stat was taken before the read: if the file changed in between, the stat no longer matches next time
  if (Date.now() - Math.max(st.mtimeMs, st.ctimeMs) > RACY_MS) {
    if (cache.size >= MAX_ENTRIES) cache.clear();
    cache.set(path, { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, text });
  } else cache.delete(path);
  return text;
}
