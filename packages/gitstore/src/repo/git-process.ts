import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { GitMlError } from '../errors.js';

/** Variables that would point git at another repository or index than the one we name. */
const REPO_VARS = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR', 'GIT_PREFIX', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_NAMESPACE'];

/** The environment for the user's git: theirs (credentials, ssh, proxies), minus repository overrides. */
export function gitEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of REPO_VARS) delete env[k];
  return { ...env, ...extra };
}

export interface GitResult {
  status: number;
  stdout: string;
  stderr: string;
}

export interface GitRunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** bytes for git's stdin */
  input?: string | Buffer;
  /** keep stderr (default); false lets it through to the terminal (progress, credential prompts) */
  captureStderr?: boolean;
  /** what the caller uses git for, named in the "git not found" error */
  purpose?: string;
}

function notFound(err: Error, purpose: string | undefined): GitMlError {
  return new GitMlError('GIT_NOT_FOUND', `Could not run git (${err.message}). Install git and make sure it is on PATH${purpose ? `; ${purpose}` : ''}.`, {}, { cause: err });
}

/**
 * The one place git-ml runs the git binary (synchronously). A non-zero exit is returned, not thrown,
 * so callers word the error; a missing binary throws `GIT_NOT_FOUND`.
 */
export function runGitSync(args: string[], options: GitRunOptions = {}): GitResult {
  const r = spawnSync('git', args, {
    cwd: options.cwd,
    env: gitEnv(options.env),
    input: options.input,
    encoding: 'utf8',
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', options.captureStderr === false ? 'inherit' : 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.error) throw notFound(r.error, options.purpose);
  return { status: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

let available: boolean | undefined;

/**
 * True when a git binary can be run (looked up once per process: one `git --version`). The
 * transport falls back to isomorphic-git over http(s) when it cannot.
 */
export function gitAvailable(): boolean {
  if (available === undefined) available = !spawnSync('git', ['--version'], { env: gitEnv(), stdio: 'ignore' }).error;
  return available;
}

/** Like `runGitSync`, without blocking the event loop. */
export function runGit(args: string[], options: GitRunOptions = {}): Promise<GitResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn('git', args, { cwd: options.cwd, env: gitEnv(options.env), stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', options.captureStderr === false ? 'inherit' : 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (err) => reject(notFound(err, options.purpose)));
    child.on('close', (code) => resolveRun({ status: code ?? 1, stdout, stderr }));
    if (options.input !== undefined) child.stdin!.end(options.input);
  });
}

/**
 * Runs git with its stdout going straight into the file `dest` (created or truncated): for content
 * too large to hold in memory, such as `git lfs smudge`. Resolves with the exit status and stderr.
 */
export function runGitToFile(args: string[], dest: string, options: GitRunOptions = {}): Promise<GitResult> {
  return new Promise((resolveRun, reject) => {
    let fd: number;
    try {
      fd = openSync(dest, 'w');
    } catch (err) {
      reject(err);
      return;
    }
    const child = spawn('git', args, { cwd: options.cwd, env: gitEnv(options.env), stdio: [options.input === undefined ? 'ignore' : 'pipe', fd, 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (err) => {
      closeSync(fd);
      reject(notFound(err, options.purpose));
    });
    child.on('close', (code) => {
      closeSync(fd);
      resolveRun({ status: code ?? 1, stdout: '', stderr });
    });
    if (options.input !== undefined) child.stdin!.end(options.input);
  });
}

/** The last meaningful line git printed on stderr (its `fatal: …`), for error messages. */
export function gitReason(r: GitResult): string {
  const lines = r.stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => l.startsWith('fatal:')) ?? lines[lines.length - 1] ?? `exit ${r.status}`;
}

/** Runs git and throws `GIT_FAILED` (naming the command and git's reason) on a non-zero exit. */
export function gitOrThrow(args: string[], options: GitRunOptions = {}): GitResult {
  const r = runGitSync(args, options);
  if (r.status !== 0) throw new GitMlError('GIT_FAILED', `git ${args.join(' ')} failed (exit ${r.status})${r.stderr.trim() ? `: ${gitReason(r)}` : ''}`, { args, status: r.status });
  return r;
}
