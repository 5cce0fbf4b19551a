import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** Start time of a process in clock ticks since boot (Linux), so a reused pid is not taken for the same process. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

export interface ProcessIdentity {
  pid: number;
  host: string;
  start: string | null;
}

let self: ProcessIdentity | undefined;
export function thisProcess(): ProcessIdentity {
  self ??= { pid: process.pid, host: hostname(), start: processStartTime(process.pid) };
  return self;
}

/** Whether the process that wrote a journal may still be running. Another host's process counts as alive. */
export function isAlive(p: ProcessIdentity): boolean {
  if (p.host !== hostname()) return true;
  try {
    process.kill(p.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  if (p.start === null) return true;
  const now = processStartTime(p.pid);
  return now === null ? true : now === p.start;
}
