/**
 * Shared helpers of the tracking tests: real temporary repositories, the real git binary, and real
 * OS child processes running small worker scripts against the built package. These helpers run C git
 * on purpose: it is the tests' independent check of what gitstore wrote (DESIGN.md), so they never
 * go through gitstore, and they ask git itself where things are (`git rev-parse --git-path`).
 */
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { MlClient } from '@git-ml/tracking';

/** The built @git-ml/tracking, imported by absolute path from worker scripts (as a user's script would). */
export const TRACKING_DIST = createRequire(import.meta.url).resolve('@git-ml/tracking');

/** Environment for the tests' own git commands: no user/system config, fixed identity, no optional locks. */
export const GIT_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'User',
  GIT_AUTHOR_EMAIL: 'user@example.com',
  GIT_COMMITTER_NAME: 'User',
  GIT_COMMITTER_EMAIL: 'user@example.com',
  GIT_OPTIONAL_LOCKS: '0',
};

export function gitBuf(cwd: string, args: string[], input?: string | Buffer): Buffer {
  return execFileSync('git', args, { cwd, env: GIT_ENV, input, maxBuffer: 1 << 28, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Runs git and returns stdout without the trailing newline; throws (with stderr) on failure. */
export function git(cwd: string, ...args: string[]): string {
  return gitBuf(cwd, args).toString('utf8').replace(/\n$/, '');
}

/** Async git, so the test's event loop keeps seeing its children while git runs. */
export function gitAsync(cwd: string, ...args: string[]): Promise<{ ok: boolean; out: string; err: string }> {
  return new Promise((res) => {
    execFile('git', args, { cwd, env: GIT_ENV, maxBuffer: 1 << 26 }, (error, stdout, stderr) => {
      res({ ok: !error, out: String(stdout), err: String(stderr) });
    });
  });
}

/** `git fsck --strict`: throws with git's message on any problem. */
export function fsckStrict(repo: string): void {
  execFileSync('git', ['fsck', '--strict', '--no-progress', '--full'], { cwd: repo, env: GIT_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
}

const roots: string[] = [];

export function tempDir(prefix = 'gitml-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  roots.push(d);
  return d;
}

export function removeTempDirs(): void {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
}

/** A fresh non-bare repository on branch main with one commit (unless `empty`). */
export function makeRepo(opts: { empty?: boolean; prefix?: string } = {}): string {
  const dir = tempDir(opts.prefix ?? 'gitml-repo-');
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.name', 'User');
  git(dir, 'config', 'user.email', 'user@example.com');
  git(dir, 'config', 'gc.autoDetach', 'false');
  if (!opts.empty) {
    writeFileSync(join(dir, 'README.md'), '# project\n');
    writeFileSync(join(dir, 'train.py'), 'print("train")\n');
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'initial');
  }
  return dir;
}

/** A fresh repository on main whose history is one empty commit per message, oldest first; with their ids. */
export function repoWithCommits(prefix: string, ...messages: string[]): { repo: string; commits: string[] } {
  const repo = makeRepo({ empty: true, prefix });
  const commits = messages.map((m) => {
    git(repo, 'commit', '-q', '--allow-empty', '-m', m);
    return git(repo, 'rev-parse', 'HEAD');
  });
  return { repo, commits };
}

/** A new bare repository added to `repo` as the remote `name` (default origin); returns its path. */
export function bareRemote(repo: string, name = 'origin'): string {
  const remote = join(tempDir('gitml-remote-'), 'remote.git');
  execFileSync('git', ['init', '-q', '--bare', remote], { env: GIT_ENV });
  git(repo, 'remote', 'add', name, remote);
  return remote;
}

let gitLfs: boolean | undefined;
/** True when the git-lfs binary is installed (asked once); the tests that need it skip, saying so, without it. */
export function hasGitLfs(): boolean {
  return (gitLfs ??= spawnSync('git', ['lfs', 'version']).status === 0);
}

/** Bytes over `useLfs`'s default threshold: an artifact of this size is stored with Git LFS. */
export const LFS_SIZED = 4096;

/** Turns git-ml's Git LFS storage on in `repo` (`ml.lfs`), with a 1 KiB threshold unless told. */
export function useLfs(repo: string, threshold = '1k'): void {
  git(repo, 'config', 'ml.lfs', 'true');
  git(repo, 'config', 'ml.lfsThreshold', threshold);
}

/** A new file of `size` random bytes (default `LFS_SIZED`), in a temporary directory; with its content. */
export function randomFile(name = 'w.bin', size = LFS_SIZED): { file: string; content: Buffer } {
  const file = join(tempDir('gitml-file-'), name);
  const content = randomBytes(size);
  writeFileSync(file, content);
  return { file, content };
}

/** The sha256 ids of the Git LFS objects a repository (work tree or bare) holds, sorted: git-lfs's `lfs/objects` store. */
export function lfsObjects(repo: string): string[] {
  return filesUnder(gitPath(repo, 'lfs/objects'))
    .map((p) => basename(p))
    .sort();
}

const clients: MlClient[] = [];

/** An MlClient that `closeClients()` closes after the test. */
export function openClient(repo: string): MlClient {
  const c = new MlClient({ repo });
  clients.push(c);
  return c;
}

export function closeClients(): void {
  for (const c of clients.splice(0)) {
    try {
      c.close();
    } catch {
      // the repository may already be gone
    }
  }
}

/** Catches what `fn` throws (failing the test if it throws nothing). */
export function caught(fn: () => unknown): Error & { code?: string; data?: Record<string, unknown> } {
  try {
    fn();
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected the call to throw, but it returned');
}

/** Writes a worker script; `body` may use `MlClient`, `arg` (process.argv.slice(2)) and `say(line)`. */
export function writeWorker(dir: string, name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    `import { writeSync } from 'node:fs';
import { MlClient } from ${JSON.stringify(TRACKING_DIST)};
const arg = process.argv.slice(2);
// synchronous, so a line the parent reads was written before the next call started
function say(line) {
  const buf = Buffer.from(line + '\\n');
  let off = 0;
  while (off < buf.length) {
    try { off += writeSync(1, buf, off); } catch (e) { if (e.code !== 'EAGAIN') throw e; }
  }
}
const tick = () => new Promise((r) => setImmediate(r));
${body}
`,
  );
  return path;
}

export interface Child {
  pid: number;
  /** stdout so far */
  readonly out: string;
  /** resolves when the process has exited and its output is drained */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>;
  /** resolves once stdout contains a line matching `re` */
  waitFor(re: RegExp): Promise<RegExpMatchArray>;
  kill(signal?: NodeJS.Signals): void;
}

/** Starts `node script args…` as a real OS process with the repository as its working directory. */
export function startNode(script: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Child {
  const childEnv = { ...process.env, ...env };
  for (const k of Object.keys(childEnv)) if (k.startsWith('VITEST') || k === 'NODE_OPTIONS') delete childEnv[k];
  const p = spawn(process.execPath, [script, ...args], { cwd, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: { re: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  p.stdout.setEncoding('utf8');
  p.stderr.setEncoding('utf8');
  p.stdout.on('data', (d: string) => {
    out += d;
    for (const w of [...waiters]) {
      const m = out.match(w.re);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  p.stderr.on('data', (d: string) => (err += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>((res) => {
    p.on('close', (code, signal) => res({ code, signal, out, err }));
  });
  return {
    pid: p.pid!,
    get out() {
      return out;
    },
    done,
    waitFor(re: RegExp) {
      const m = out.match(re);
      if (m) return Promise.resolve(m);
      return new Promise<RegExpMatchArray>((resolveWait, reject) => {
        waiters.push({ re, resolve: resolveWait });
        void done.then((r) => {
          const m2 = out.match(re);
          if (m2) resolveWait(m2);
          else reject(new Error(`process exited (${r.code ?? r.signal}) before printing ${re}: stdout=${out.slice(-500)} stderr=${err.slice(-2000)}`));
        });
      });
    },
    kill(signal: NodeJS.Signals = 'SIGKILL') {
      p.kill(signal);
    },
  };
}

/** Every file below `root`, recursively (a missing directory has none). */
function filesUnder(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(root);
  return out;
}

/** A path inside the repository's git directory, as C git itself resolves it (`git rev-parse --git-path`). */
export function gitPath(repo: string, path: string): string {
  return resolve(repo, git(repo, 'rev-parse', '--git-path', path).trim());
}

/** Journal files still pending in git-ml's journal area (`ml/journal` in the git directory), relative to it. */
export function journalFiles(repo: string): string[] {
  const root = gitPath(repo, 'ml/journal');
  return filesUnder(root).map((p) => p.slice(root.length + 1));
}

/** The run refs git sees, as a map ref → oid. */
export function runRefs(repo: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of git(repo, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/ml/runs/').split('\n').filter(Boolean)) {
    const [r, o] = line.split(' ');
    out.set(r, o);
  }
  return out;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** `.lock` files among the loose refs, as `refs/….lock` (a crashed writer's leftovers show up here). */
export function refLockFiles(repo: string): string[] {
  const root = gitPath(repo, 'refs');
  return filesUnder(root)
    .filter((p) => p.endsWith('.lock'))
    .map((p) => `refs/${p.slice(root.length + 1)}`);
}

/**
 * A metric's committed history read with C git alone: the chunk files of `metrics/<key>/` (run
 * format 2) in order, or the single file of format 1. Returns the history lines.
 */
export function metricLinesViaGit(repo: string, ref: string, fileName: string): string[] {
  const type = git(repo, 'cat-file', '-t', `${ref}:metrics/${fileName}`);
  let text: string;
  if (type === 'blob') text = gitBuf(repo, ['show', `${ref}:metrics/${fileName}`]).toString('utf8');
  else {
    const names = git(repo, 'ls-tree', '--name-only', `${ref}:metrics/${fileName}`).split('\n').filter(Boolean);
    text = names.map((n) => gitBuf(repo, ['show', `${ref}:metrics/${fileName}/${n}`]).toString('utf8')).join('');
  }
  return text.split('\n').filter(Boolean);
}

export { pathWithoutGit, startGitHttpServer, type GitHttpServer } from './git-http-server.js';
