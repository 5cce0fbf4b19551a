import { spawn } from 'node:child_process';
import type { OutputSink } from '../output.js';

export interface ToolResult {
  status: number | null;
  /** the last lines the tool printed (stdout and stderr), for error messages */
  tail: string;
  /** set when the program could not be started at all (ENOENT: not installed) */
  spawnError: NodeJS.ErrnoException | null;
}

/** Runs a tool (npm, python, pip, conda) with its output streamed to `sink.err`, keeping the tail. */
export function runTool(file: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; sink?: OutputSink; timeoutMs?: number } = {}): Promise<ToolResult> {
  return new Promise((done) => {
    const child = spawn(file, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], timeout: options.timeoutMs });
    let tail = '';
    const take = (d: string) => {
      options.sink?.err(d);
      tail = (tail + d).slice(-4000);
    };
    child.stdout.setEncoding('utf8').on('data', take);
    child.stderr.setEncoding('utf8').on('data', take);
    let spawnError: NodeJS.ErrnoException | null = null;
    child.on('error', (err) => (spawnError = err));
    child.on('close', (status) => done({ status: spawnError ? null : status, tail: tail.trim(), spawnError }));
  });
}

/** The last few non-empty lines of a tool's output, joined on one line. */
export function lastLines(text: string, n = 3): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-n)
    .join(' | ');
}
