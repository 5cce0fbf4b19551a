import { CorruptObjectError } from '../errors.js';

export type TreeMode = '100644' | '100755' | '120000' | '40000' | '160000';

export interface TreeEntry {
  mode: TreeMode;
  name: string;
  oid: string;
}

// git sorts tree entries by name, comparing a directory's name as if it ended in '/'.
function sortKey(e: TreeEntry): Buffer {
  return Buffer.from(e.mode === '40000' ? `${e.name}/` : e.name, 'utf8');
}

/** Serializes a tree in git's canonical form (sorted, canonical modes) so `git fsck --strict` accepts it. */
export function encodeTree(entries: TreeEntry[]): Buffer {
  const sorted = entries.map((e) => ({ e, k: sortKey(e) })).sort((a, b) => Buffer.compare(a.k, b.k));
  const parts: Buffer[] = [];
  for (const { e } of sorted) {
    if (!e.name || e.name === '.' || e.name === '..' || e.name === '.git' || e.name.includes('/') || e.name.includes('\0')) {
      throw new CorruptObjectError('tree entry', `invalid name ${JSON.stringify(e.name)}`);
    }
    parts.push(Buffer.from(`${e.mode} ${e.name}\0`, 'utf8'), Buffer.from(e.oid, 'hex'));
  }
  return Buffer.concat(parts);
}

export function decodeTree(data: Buffer, oid = 'tree'): TreeEntry[] {
  const out: TreeEntry[] = [];
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    const nul = data.indexOf(0, sp);
    if (sp < 0 || nul < 0 || nul + 21 > data.length) throw new CorruptObjectError(`tree ${oid}`, 'truncated entry');
    const mode = data.toString('latin1', i, sp);
    out.push({
      mode: (mode === '040000' ? '40000' : mode) as TreeMode,
      name: data.toString('utf8', sp + 1, nul),
      oid: data.toString('hex', nul + 1, nul + 21),
    });
    i = nul + 21;
  }
  return out;
}
