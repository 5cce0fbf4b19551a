import { decodeTree, encodeTree, type TreeEntry } from '@git-ml/gitstore';
import type { ObjectSink } from './object-sink.js';
import type { ArtifactEntry } from './run-state.js';

interface Dir {
  entries: Map<string, TreeEntry | Dir>;
}

function isDir(x: TreeEntry | Dir): x is Dir {
  return (x as Dir).entries !== undefined;
}

function load(sink: ObjectSink, oid: string | null): Dir {
  const entries = new Map<string, TreeEntry | Dir>();
  if (oid) for (const e of decodeTree(sink.read(oid).data, oid)) entries.set(e.name, e);
  return { entries };
}

function place(sink: ObjectSink, root: Dir, parts: string[], add: ArtifactEntry): void {
  let dir = root;
  for (const part of parts.slice(0, -1)) {
    let next = dir.entries.get(part);
    if (!next || !isDir(next)) {
      next = load(sink, next && next.mode === '40000' ? next.oid : null);
      dir.entries.set(part, next);
    }
    dir = next;
  }
  const name = parts[parts.length - 1];
  dir.entries.set(name, { mode: add.mode, name, oid: add.oid });
}

function write(sink: ObjectSink, dir: Dir): string {
  const entries: TreeEntry[] = [];
  for (const [name, e] of dir.entries) {
    entries.push(isDir(e) ? { mode: '40000', name, oid: write(sink, e) } : e);
  }
  return sink.add('tree', encodeTree(entries));
}

/** Places files and directories into the run's `artifacts/` tree; later adds replace earlier ones. */
export function writeArtifactTree(sink: ObjectSink, base: string | null, adds: ArtifactEntry[]): string | null {
  const root = load(sink, base);
  for (const add of adds) {
    const parts = add.path.split('/').filter(Boolean);
    if (parts.length === 0) {
      // a directory logged at the root merges into it
      for (const e of decodeTree(sink.read(add.oid).data, add.oid)) root.entries.set(e.name, e);
    } else place(sink, root, parts, add);
  }
  return root.entries.size === 0 ? null : write(sink, root);
}
