import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive, thisProcess, type ProcessIdentity } from '@git-ml/gitstore';
import { EnvironmentBuildError } from '../errors.js';

/** The marker written last into a finished environment; an environment without it is incomplete. */
const MARKER = 'git-ml-env.json';
/** How long to wait for another process that is building the same environment. */
const WAIT_MS = 30 * 60_000;

/** A stable short hash of what defines an environment (file contents, versions, platform). */
export function environmentHash(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tryLock(lockPath: string): boolean {
  try {
    const fd = openSync(lockPath, 'wx');
    writeSync(fd, JSON.stringify(thisProcess()));
    closeSync(fd);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return false;
  }
}

function lockIsStale(lockPath: string): boolean {
  try {
    return !isAlive(JSON.parse(readFileSync(lockPath, 'utf8')) as ProcessIdentity);
  } catch {
    // unreadable: its writer died between creating and writing it, or it was just removed
    return existsSync(lockPath);
  }
}

/**
 * The environment `<root>/<name>`, built by `build(dir)` (which creates `dir`) unless a finished one exists. Builds
 * happen in place (virtualenvs and conda prefixes cannot be moved) under `<name>.lock`, so two
 * processes never build the same environment at once; a lock whose process died is taken over,
 * and a failed build is removed so the next run starts clean.
 */
export async function cachedEnvironment(
  root: string,
  name: string,
  describe: Record<string, unknown>,
  build: (dir: string) => Promise<void>,
  onWait: (message: string) => void = () => {},
): Promise<{ dir: string; reused: boolean }> {
  mkdirSync(root, { recursive: true });
  const dir = join(root, name);
  const lockPath = `${dir}.lock`;
  const started = Date.now();
  let told = false;
  for (;;) {
    if (existsSync(join(dir, MARKER))) return { dir, reused: true };
    if (tryLock(lockPath)) break;
    if (lockIsStale(lockPath)) {
      rmSync(lockPath, { force: true });
      continue;
    }
    if (Date.now() - started > WAIT_MS) {
      throw new EnvironmentBuildError(`Timed out waiting for another process to build the environment ${dir} (lock ${lockPath}). If no git-ml process is running, delete the lock file and retry.`, { dir });
    }
    if (!told) onWait(`waiting for another process that is building ${dir}`);
    told = true;
    await sleep(250);
  }
  try {
    if (existsSync(join(dir, MARKER))) return { dir, reused: true };
    rmSync(dir, { recursive: true, force: true });
    try {
      await build(dir);
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    writeFileSync(join(dir, MARKER), `${JSON.stringify({ ...describe, created: new Date().toISOString() }, null, 2)}\n`);
    return { dir, reused: false };
  } finally {
    rmSync(lockPath, { force: true });
  }
}
