import { lstatSync, readdirSync, readlinkSync, realpathSync, statSync, type Stats } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, posix, relative, resolve, sep } from 'node:path';
import type { GitStore, TreeEntry } from '@git-ml/gitstore';
import { InvalidParameterError, NotFoundError } from './errors.js';
import { artifactSize, storeArtifactFile, writeArtifactBlob } from './lfs-artifacts.js';

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

/**
 * Stores a directory as a git tree, streaming each file. Symbolic links are followed, as `cp -rL`
 * and MLflow's `log_artifacts` do, so a HuggingFace snapshot (`model.safetensors -> ../../blobs/…`)
 * keeps its weights: a link to a file stores the file's bytes wherever it lives; a link to a
 * directory is followed only when that directory is inside `dir`. Anything that cannot be stored —
 * a dangling link, a link loop, a link to a directory outside `dir`, a socket, FIFO or device — fails
 * the whole call with one error listing every such path; nothing is skipped silently.
 */
export async function storeDirectory(git: GitStore, dir: string, onBytes?: (n: number) => void): Promise<string> {
  const root = realpathSync(dir);
  const problems: string[] = [];
  const tree = await storeTree({ git, root, open: new Set([root]), problems, onBytes }, dir, '', root);
  if (problems.length) {
    throw new InvalidParameterError(
      `Cannot log artifacts from ${dir}: ${problems.length === 1 ? 'an entry' : `${problems.length} entries`} cannot be stored ` +
        `(nothing was logged):\n${problems.map((p) => `  ${p}`).join('\n')}\n` +
        'Fix or remove them (links to directories outside the logged directory: log that directory separately, ' +
        'or copy it in), then log again.',
      { path: dir, problems },
    );
  }
  return tree;
}

interface Walk {
  git: GitStore;
  /** the logged directory, links resolved */
  root: string;
  /** real paths of the directories being walked (a link back into one of them is a loop) */
  open: Set<string>;
  problems: string[];
  /** told of every chunk of file content stored */
  onBytes?: (n: number) => void;
}

async function storeTree(w: Walk, dir: string, rel: string, realDir: string): Promise<string> {
  const { git, root, open, problems } = w;
  const entries: TreeEntry[] = [];
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    if (d.name === '.git') continue;
    const p = join(dir, d.name);
    const shown = rel ? `${rel}/${d.name}` : d.name;
    let real = join(realDir, d.name);
    // the dirent's type, unless it is a link (then its target's) or the file system did not say
    let st: Pick<Stats, 'isFile' | 'isDirectory'> = d;
    if (d.isSymbolicLink()) {
      const target = readlinkSync(p);
      try {
        real = realpathSync(p);
        st = statSync(real);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const why = code === 'ELOOP' ? 'a link loop' : code === 'ENOENT' ? 'a dangling link (its target does not exist)' : `an unreadable link (${code})`;
        problems.push(`${shown} -> ${target}: ${why}`);
        continue;
      }
      if (st.isDirectory() && real !== root && !real.startsWith(root + sep)) {
        problems.push(`${shown} -> ${target}: a link to a directory outside the logged directory (${real})`);
        continue;
      }
    } else if (!d.isFile() && !d.isDirectory()) st = lstatSync(p);
    if (st.isDirectory()) {
      if (open.has(real)) {
        problems.push(`${shown}: a link loop (it leads back to ${relative(root, real) || 'the logged directory'}, which contains it)`);
        continue;
      }
      open.add(real);
      entries.push({ mode: '40000', name: d.name, oid: await storeTree(w, p, shown, real) });
      open.delete(real);
    } else if (st.isFile()) {
      const exec = (statSync(p).mode & 0o111) !== 0;
      entries.push({ mode: exec ? '100755' : '100644', name: d.name, oid: await storeArtifactFile(git, p, shown, w.onBytes) });
    } else problems.push(`${shown}: not a regular file, directory or link (a socket, FIFO or device)`);
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
    file_size: e.mode === '40000' ? null : artifactSize(git, e.oid),
  }));
}

/** Copies an artifact file or directory out of the run to `dest`; tree names never escape `dest`. */
export async function downloadArtifactTree(git: GitStore, tree: string | null, path: string, dest: string, runId: string, onBytes?: (n: number) => void): Promise<string> {
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
    } else await writeArtifactBlob(git, entry.oid, to, relative(root, to), onBytes);
  };
  await write(at, target);
  return target;
}
