import { lstatSync, readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, posix, resolve, sep } from 'node:path';
import { streamBlobFromFile, streamBlobToFile, type GitStore, type TreeEntry } from '@git-ml/gitstore';
import { InvalidParameterError, NotFoundError } from './errors.js';

/** An entry of `listArtifacts`, in MLflow's FileInfo shape. */
export interface FileInfo {
  path: string;
  is_dir: boolean;
  file_size: number | null;
}

/** Normalizes a user-given artifact path and refuses anything that would leave the run's artifact root. */
export function cleanArtifactPath(p: string | undefined, field = 'artifact_path'): string {
  if (p === undefined || p === '' || p === '.') return '';
  const norm = posix.normalize(p.replace(/\\/g, '/')).replace(/\/+$/, '');
  if (norm.startsWith('/') || norm === '..' || norm.startsWith('../') || norm.split('/').some((s) => s === '.git' || s === '..')) {
    throw new InvalidParameterError(`Invalid ${field} '${p}': it must be a relative path inside the run's artifacts, without '..'.`, { field, path: p });
  }
  return norm === '.' ? '' : norm;
}

/** Stores a directory as a git tree, streaming each file; symlinks are stored as links, not followed. */
export async function storeDirectory(git: GitStore, dir: string): Promise<string> {
  const entries: TreeEntry[] = [];
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, d.name);
    if (d.name === '.git') continue;
    if (d.isDirectory()) entries.push({ mode: '40000', name: d.name, oid: await storeDirectory(git, p) });
    else if (d.isFile()) {
      const exec = (lstatSync(p).mode & 0o111) !== 0;
      entries.push({ mode: exec ? '100755' : '100644', name: d.name, oid: await streamBlobFromFile(git.objects, p) });
    }
  }
  return git.objects.writeTree(entries);
}

export function findEntry(git: GitStore, tree: string | null, path: string): { mode: string; oid: string } | null {
  if (!tree) return null;
  if (path === '') return { mode: '40000', oid: tree };
  let cur: { mode: string; oid: string } = { mode: '40000', oid: tree };
  for (const part of path.split('/')) {
    if (cur.mode !== '40000') return null;
    const e = git.objects.readTree(cur.oid).find((x) => x.name === part);
    if (!e) return null;
    cur = e;
  }
  return cur;
}

export function listArtifactTree(git: GitStore, tree: string | null, path: string): FileInfo[] {
  const at = findEntry(git, tree, path);
  if (!at || at.mode !== '40000') return [];
  return git.objects.readTree(at.oid).map((e) => ({
    path: path ? `${path}/${e.name}` : e.name,
    is_dir: e.mode === '40000',
    file_size: e.mode === '40000' ? null : git.objects.size(e.oid),
  }));
}

/** Copies an artifact file or directory out of the run to `dest`; tree names never escape `dest`. */
export async function downloadArtifactTree(git: GitStore, tree: string | null, path: string, dest: string, runId: string): Promise<string> {
  const at = findEntry(git, tree, path);
  if (!at) throw new NotFoundError(`Run ${runId} has no artifact '${path}'. List them with \`git-ml artifacts list ${runId}\`.`, { run_id: runId, path });
  const root = resolve(dest);
  const target = path ? join(root, ...path.split('/')) : root;
  const write = async (entry: { mode: string; oid: string }, to: string): Promise<void> => {
    if (!resolve(to).startsWith(root + sep) && resolve(to) !== root) {
      throw new InvalidParameterError(`Refusing to write outside ${root}: ${to}`, { path: to });
    }
    if (entry.mode === '40000') {
      await mkdir(to, { recursive: true });
      for (const e of git.objects.readTree(entry.oid)) await write(e, join(to, e.name));
    } else await streamBlobToFile(git.objects, entry.oid, to);
  };
  await write(at, target);
  return target;
}
