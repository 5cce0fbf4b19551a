import { spawn } from 'node:child_process';
import type { Output } from '../output.js';

export interface ChildExit {
  /** exit code, or null when a signal ended the process */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** true when the child was stopped on our request (abort signal, Ctrl-C) */
  interrupted: boolean;
}

export interface SpawnOptions {
  file: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  output: Output;
  /** after a stop request, how long the child may take to exit before SIGKILL (default 10 s) */
  killGraceMs?: number;
  /** called when the child had to be killed hard (e.g. `docker rm -f` the container) */
  onHardKill?: () => void;
}

function signalGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // the group is already gone
  }
}

/** A started child: `exit` settles when it has exited and its output is drained. */
export interface ChildHandle {
  exit: Promise<ChildExit>;
  /** first call: SIGINT to the process group, SIGKILL after the grace period; second call: SIGKILL now */
  stop(): void;
}

/**
 * Starts the entry point's process in a process group of its own (so stopping it also stops what
 * its shell started) and streams its output. stdin is closed: a background process group reading
 * the terminal would be stopped by the kernel.
 */
export function spawnChild(o: SpawnOptions): ChildHandle {
  const inherit = o.output === 'inherit';
  const child = spawn(o.file, o.args, { cwd: o.cwd, env: o.env, detached: true, stdio: ['ignore', inherit ? 'inherit' : 'pipe', inherit ? 'inherit' : 'pipe'] });
  if (o.output !== 'inherit') {
    const sink = o.output;
    child.stdout!.setEncoding('utf8').on('data', (d: string) => sink.out(d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => sink.err(d));
  }
  let interrupted = false;
  let hardKill: NodeJS.Timeout | null = null;
  const running = () => child.pid !== undefined && child.exitCode === null && child.signalCode === null;
  const kill = () => {
    signalGroup(child.pid!, 'SIGKILL');
    o.onHardKill?.();
  };
  const stop = () => {
    if (!running()) return;
    if (interrupted) return kill();
    interrupted = true;
    signalGroup(child.pid!, 'SIGINT');
    hardKill = setTimeout(() => running() && kill(), o.killGraceMs ?? 10_000);
  };
  const exit = new Promise<ChildExit>((resolveExit, reject) => {
    child.on('error', reject);
    child.on('close', (code, sig) => {
      if (hardKill) clearTimeout(hardKill);
      resolveExit({ exitCode: code, signal: sig, interrupted });
    });
  });
  return { exit, stop };
}
