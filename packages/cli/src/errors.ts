import { GitMlError } from '@git-ml/tracking';
import { CommanderError } from 'commander';
import type { Io } from './io.js';

/** Wrong use of the command line that commander cannot see (two flags that exclude each other, nothing to do). Exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The command ran but did not fully succeed (rejected refs, conflicts); its output already said why. */
export class PartialFailure extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
    this.name = 'PartialFailure';
  }
}

function isSystemError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && typeof (err as NodeJS.ErrnoException).syscall === 'string';
}

function oneLine(text: string): string {
  return text.trim().replace(/\s*\n\s*/g, ' ');
}

/**
 * Messages are printed on one line (some are built from wrapped text), except those laid out on
 * purpose: every line after the first indented by two spaces, as a filter error that repeats the
 * filter with a caret under the wrong character, or the candidates of an ambiguous run id. Squashing
 * those would move the caret away from its character.
 */
function shown(err: Error): string {
  const lines = err.message.trimEnd().split('\n');
  return lines.length > 1 && lines.slice(1).every((l) => l.startsWith('  ')) ? lines.join('\n') : oneLine(err.message);
}

/**
 * Prints an error the way a user should see it and returns the exit code: 2 for usage errors, 1
 * for everything else. Only errors that are not git-ml's or the system's (bugs) get the stack, and
 * only with GIT_ML_DEBUG=1.
 */
export function reportError(err: unknown, io: Io): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2; // commander already printed it
  if (err instanceof PartialFailure) return err.exitCode;
  if (err instanceof UsageError) {
    io.err(`git-ml: error: ${oneLine(err.message)}\n`);
    return 2;
  }
  if (err instanceof GitMlError || isSystemError(err)) {
    io.err(`git-ml: error: ${shown(err)}\n`);
    if (process.env.GIT_ML_DEBUG === '1' && err.stack) io.err(`${err.stack}\n`);
    return 1;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.err(`git-ml: internal error (a bug, please report it): ${oneLine(message)}\n`);
  if (process.env.GIT_ML_DEBUG === '1' && err instanceof Error && err.stack) io.err(`${err.stack}\n`);
  else io.err('git-ml: set GIT_ML_DEBUG=1 to see where it happened.\n');
  return 1;
}
