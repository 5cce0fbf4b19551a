import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface PackedRefs {
  refs: Map<string, string>;
  /** peeled values (`^<oid>` lines) of annotated tags */
  peeled: Map<string, string>;
  header: string;
}

const EMPTY: PackedRefs = { refs: new Map(), peeled: new Map(), header: '' };
const cache = new Map<string, { key: string; value: PackedRefs }>();

export function parsePackedRefs(text: string): PackedRefs {
  const refs = new Map<string, string>();
  const peeled = new Map<string, string>();
  let header = '';
  let last = '';
  for (const line of text.split('\n')) {
    if (!line) continue;
    if (line.startsWith('#')) header = line;
    else if (line.startsWith('^')) peeled.set(last, line.slice(1));
    else {
      const sp = line.indexOf(' ');
      last = line.slice(sp + 1);
      refs.set(last, line.slice(0, sp));
    }
  }
  return { refs, peeled, header };
}

/** Reads `packed-refs`, re-parsing only when the file's identity (size, mtime, inode) changed. */
export function readPackedRefs(commonDir: string): PackedRefs {
  const path = join(commonDir, 'packed-refs');
  const st = statSync(path, { throwIfNoEntry: false, bigint: true });
  if (!st) return EMPTY;
  const key = `${st.ino}:${st.size}:${st.mtimeNs}`;
  const hit = cache.get(path);
  if (hit && hit.key === key) return hit.value;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY;
    throw err;
  }
  const value = parsePackedRefs(text);
  cache.set(path, { key, value });
  return value;
}

export function formatPackedRefs(p: PackedRefs): string {
  let out = `${p.header || '# pack-refs with: peeled fully-peeled sorted'}\n`;
  for (const name of [...p.refs.keys()].sort()) {
    out += `${p.refs.get(name)} ${name}\n`;
    const peel = p.peeled.get(name);
    if (peel) out += `^${peel}\n`;
  }
  return out;
}

export function packedRefsPath(commonDir: string): string {
  return join(commonDir, 'packed-refs');
}
