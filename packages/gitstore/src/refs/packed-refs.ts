import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { GitMlError } from '../errors.js';

export interface PackedRefs {
  refs: Map<string, string>;
  /** peeled values (`^<oid>` lines) of annotated tags */
  peeled: Map<string, string>;
  header: string;
  /** the first line that is not a packed-refs line (1-based), when the file is damaged */
  damage?: { line: number; text: string };
}

/**
 * `packed-refs` has a line that is not `<oid> <ref>`, `^<oid>` or a `#` header — typically a file
 * cut short by a crash or a full disk. git-ml reads the lines that parse but never rewrites the
 * file, since that would turn the damage into refs C git rejects.
 */
export class PackedRefsDamagedError extends GitMlError {
  constructor(path: string, line: number, text: string) {
    super(
      'PACKED_REFS_DAMAGED',
      `${path} is damaged at line ${line} (${JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text)} is not ` +
        '"<object-id> <ref-name>"), so git-ml will not rewrite it (C git refuses this file as well). Fix or delete that ' +
        'line with an editor — if it was cut short, the ref it held can be found again with `git fsck --lost-found` and ' +
        'set with `git update-ref <ref> <id>` — then retry.',
      { path, line, text },
    );
  }
}

const EMPTY: PackedRefs = { refs: new Map(), peeled: new Map(), header: '' };
const cache = new Map<string, { key: string; value: PackedRefs }>();
const warned = new Set<string>();
const OID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** Parses `packed-refs` the way C git does; the first line that does not parse is kept in `damage`. */
export function parsePackedRefs(text: string): PackedRefs {
  const refs = new Map<string, string>();
  const peeled = new Map<string, string>();
  let header = '';
  let last = '';
  let damage: PackedRefs['damage'];
  const lines = text.split('\n');
  // C git requires every line, the last included, to end with a newline
  const complete = lines.length - 1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (i === complete && line === '') break;
    const ok =
      i < complete &&
      (line.startsWith('#')
        ? i === 0
        : line.startsWith('^')
          ? last !== '' && OID.test(line.slice(1))
          : isRefLine(line));
    if (!ok) {
      damage ??= { line: i + 1, text: line };
      last = '';
      continue;
    }
    if (line.startsWith('#')) header = line;
    else if (line.startsWith('^')) {
      peeled.set(last, line.slice(1));
      last = '';
    } else {
      const sp = line.indexOf(' ');
      last = line.slice(sp + 1);
      refs.set(last, line.slice(0, sp));
    }
  }
  return damage ? { refs, peeled, header, damage } : { refs, peeled, header };
}

function isRefLine(line: string): boolean {
  const sp = line.indexOf(' ');
  return sp > 0 && OID.test(line.slice(0, sp)) && /^refs\/[^\s]+$/.test(line.slice(sp + 1));
}

/**
 * Reads `packed-refs`, re-parsing only when the file's identity (size, mtime, inode) changed. A
 * damaged file is read as far as it parses, with one warning on stderr per damaged version.
 */
export function readPackedRefs(commonDir: string): PackedRefs {
  const path = packedRefsPath(commonDir);
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
  if (value.damage && !warned.has(`${path}:${key}`)) {
    warned.add(`${path}:${key}`);
    const e = new PackedRefsDamagedError(path, value.damage.line, value.damage.text);
    process.stderr.write(`git-ml: warning: refs on damaged lines are ignored. ${e.message}\n`);
  }
  return value;
}

/** `readPackedRefs` for a rewrite: throws PackedRefsDamagedError instead of dropping lines. */
export function readPackedRefsForRewrite(commonDir: string): PackedRefs {
  const packed = readPackedRefs(commonDir);
  if (packed.damage) throw new PackedRefsDamagedError(packedRefsPath(commonDir), packed.damage.line, packed.damage.text);
  return packed;
}

export function packedRefsPath(commonDir: string): string {
  return join(commonDir, 'packed-refs');
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
