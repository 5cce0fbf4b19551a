import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, vi } from 'vitest';

export const CLI_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const BIN_DIR = join(CLI_DIR, 'bin');
export const BIN = join(BIN_DIR, 'git-ml.js');

if (!existsSync(join(CLI_DIR, 'dist', 'main.js'))) {
  throw new Error('packages/cli is not built: run `npx tsc -p packages/cli/tsconfig.json` (after gitstore and tracking) first.');
}

// Every test spawns real node processes (~0.4 s each); under a parallel run that adds up.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const created: string[] = [];
afterAll(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** An empty temporary directory, removed after the test file. */
export function tempDir(prefix = 'git-ml-cli-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** The environment of every child: no variables that would point git-ml or git somewhere else. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['GIT_ML_REPO', 'MLFLOW_TRACKING_URI', 'MLFLOW_EXPERIMENT_NAME', 'MLFLOW_EXPERIMENT_ID', 'GIT_ML_DEBUG', 'GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE']) delete env[k];
  return {
    ...env,
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
    GIT_CONFIG_NOSYSTEM: '1',
    ...extra,
  };
}

/** Runs the real git in `cwd` and returns its stdout. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: cleanEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A fresh repository with one commit (so runs have a source commit), via the real git. */
export function tempRepo(): string {
  const dir = tempDir();
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.name', 'Test');
  git(dir, 'config', 'user.email', 'test@example.com');
  writeFileSync(join(dir, 'train.py'), 'print("training")\n');
  git(dir, 'add', 'train.py');
  git(dir, 'commit', '-q', '-m', 'initial');
  return dir;
}

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built `git-ml` binary with node, as a user's shell would. */
export function gitMl(cwd: string, args: string[], env: Record<string, string> = {}): Result {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env: cleanEnv(env), encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Like gitMl, but the command must succeed; returns stdout. */
export function ok(cwd: string, ...args: string[]): string {
  const r = gitMl(cwd, args);
  if (r.code !== 0) throw new Error(`git-ml ${args.join(' ')} exited ${r.code}:\n${r.stderr}`);
  return r.stdout;
}

/** Starts a run and returns its id. */
export function startRun(cwd: string, ...args: string[]): string {
  return ok(cwd, 'runs', 'start', ...args).trim();
}

/** The full ref of a run, found with the real git. */
export function refOf(cwd: string, runId: string): string {
  const refs = git(cwd, 'for-each-ref', '--format=%(refname)', 'refs/ml/runs').split('\n');
  const ref = refs.find((r) => r.endsWith(`/${runId}`));
  if (!ref) throw new Error(`no ref for run ${runId} in:\n${refs.join('\n')}`);
  return ref;
}

/** A stack trace line, which users must never see. */
export const STACK_LINE = /^\s+at .+\(.+:\d+:\d+\)$|^\s+at .+:\d+:\d+$/m;

/** Why tests of `git ml --help` (which runs `man git-ml`) cannot run here, or null when they can. */
export const NO_MAN = spawnSync('man', ['--version'], { encoding: 'utf8' }).status === 0 ? null : 'no working `man` program on this machine (apt-get install man-db)';
