import { statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { InvalidSnapshotSettingError, MAX_POINTER_SIZE, parsePointer, parseSizeSetting, streamBlobFromFile, streamBlobToFile, type GitStore, type LfsPointer } from '@git-ml/gitstore';
import { formatSize } from './_format-size.js';

const SEE = 'docs/tracking.md, "Big artifacts and Git LFS"';

interface LfsSettings {
  enabled: boolean | null;
  threshold: number;
}

const cache = new WeakMap<GitStore, { at: number; settings: LfsSettings }>();

/** The settings, read at most once a second (logging a directory asks for every file). */
function cachedLfsSettings(git: GitStore): LfsSettings {
  const hit = cache.get(git);
  if (hit && Date.now() - hit.at < 1000) return hit.settings;
  const settings = lfsSettings(git);
  cache.set(git, { at: Date.now(), settings });
  return settings;
}

/** `ml.lfs` / GIT_ML_LFS (null when unset) and `ml.lfsThreshold` / GIT_ML_LFS_THRESHOLD (default 10 MiB). */
export function lfsSettings(git: GitStore): LfsSettings {
  const config = git.config();
  const envOn = process.env.GIT_ML_LFS;
  const on = envOn !== undefined && envOn !== '' ? { where: 'environment variable GIT_ML_LFS', value: envOn } : config.get('ml.lfs') !== undefined ? { where: 'git config ml.lfs', value: config.get('ml.lfs')! } : null;
  let enabled: boolean | null = null;
  if (on) {
    const v = on.value.trim().toLowerCase();
    if (['true', 'yes', 'on', '1'].includes(v)) enabled = true;
    else if (['false', 'no', 'off', '0'].includes(v)) enabled = false;
    else throw new InvalidSnapshotSettingError(on.where, on.value, 'true or false', SEE);
  }
  const envT = process.env.GIT_ML_LFS_THRESHOLD;
  const t = envT !== undefined && envT !== '' ? { where: 'environment variable GIT_ML_LFS_THRESHOLD', value: envT } : config.get('ml.lfsThreshold') !== undefined ? { where: 'git config ml.lfsThreshold', value: config.get('ml.lfsThreshold')! } : null;
  return { enabled, threshold: t ? parseSizeSetting(t.where, t.value, SEE) : 10 * 1024 * 1024 };
}

/** Repositories (common dirs) this process already printed its LFS note for. */
const noted = new Set<string>();

/**
 * Stores one artifact file and returns the blob to put in the run's tree: with `ml.lfs` on, a file
 * of the threshold or more goes to `.git/lfs/objects` and the tree gets its LFS pointer (as
 * `git lfs` would store it); otherwise the content is the blob. `shown` names the file in notes.
 */
export async function storeArtifactFile(git: GitStore, file: string, shown: string, onBytes?: (n: number) => void): Promise<string> {
  const { size } = statSync(file);
  const s = size >= MAX_POINTER_SIZE ? cachedLfsSettings(git) : null;
  if (!s || size < s.threshold || s.enabled === false) return streamBlobFromFile(git.objects, file, onBytes);
  if (s.enabled && git.lfs.version()) {
    const { blob } = await git.lfs.storeFile(file);
    onBytes?.(size);
    return git.objects.write('blob', blob);
  }
  if (!noted.has(git.location.commonDir)) {
    noted.add(git.location.commonDir);
    process.stderr.write(
      s.enabled
        ? `git-ml: warning: ml.lfs is on but git-lfs is not installed, so ${shown} (${formatSize(size)}) was stored in git. Install git-lfs (e.g. \`apt install git-lfs\`) to store artifacts of ${formatSize(s.threshold)} and more with Git LFS.\n`
        : `git-ml: note: ${shown} (${formatSize(size)}) is stored in git, so every clone that fetches the run downloads it. \`git config ml.lfs true\` stores artifacts of ${formatSize(s.threshold)} and more with Git LFS instead (needs git-lfs); \`git config ml.lfs false\` silences this note.\n`,
    );
  }
  return streamBlobFromFile(git.objects, file, onBytes);
}

/** The LFS pointer a blob holds, or null (read only when the blob is small enough to be one). */
function pointerOf(git: GitStore, oid: string, size = git.objects.size(oid)): LfsPointer | null {
  return size <= MAX_POINTER_SIZE ? parsePointer(git.objects.readBlob(oid)) : null;
}

/** An artifact's size: its blob's, or for an LFS pointer the size of the content it stands for. */
export function artifactSize(git: GitStore, oid: string): number {
  const size = git.objects.size(oid);
  return pointerOf(git, oid, size)?.size ?? size;
}

/** Writes an artifact blob to `dest`, streaming; an LFS pointer is resolved (downloaded with git-lfs when not here). */
export async function writeArtifactBlob(git: GitStore, oid: string, dest: string, shown: string, onBytes?: (n: number) => void): Promise<void> {
  const pointer = pointerOf(git, oid);
  if (!pointer) return streamBlobToFile(git.objects, oid, dest, onBytes);
  if (pointer.size === 0 && !git.lfs.has(pointer)) return writeFile(dest, '');
  await git.lfs.writeTo(pointer, dest, shown);
  onBytes?.(pointer.size);
}
