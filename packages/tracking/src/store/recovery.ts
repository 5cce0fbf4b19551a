import { mkdirSync, renameSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isAlive } from '@git-ml/gitstore';
import { removeJournalFile, type JournalRead } from '../journal/journal.js';
import { foldBatch, type FoldContext } from './fold.js';

/** Refs locked at once while folding a batch; stays well under the usual 1024 open files. */
export const FOLD_CHUNK = 128;


function isDeadWriter(j: JournalRead): boolean {
  return j.header !== null && j.header.proc.pid !== process.pid && !isAlive(j.header.proc);
}

/**
 * Runs that dead writers owned (a create or `own` line marked `own`), with the time of the last
 * thing each logged: if still RUNNING, they end KILLED at that time.
 */
function orphanedRuns(dead: JournalRead[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const j of dead) {
    for (const [runId, lines] of j.byRun) {
      let owned = false;
      let at = 0;
      for (const { line } of lines) {
        if (line.op === 'create' && line.own) {
          owned = true;
          at = Math.max(at, line.info.start_time);
        } else if (line.op === 'own') owned = true;
        else if (line.op === 'm') at = Math.max(at, line.t);
      }
      if (owned) out.set(runId, Math.max(out.get(runId) ?? 0, at));
    }
  }
  return out;
}

/** Where journals go: `journal` (read and folded) and `quarantine` (moved aside), gitstore areas. */
export interface JournalAreas {
  journal: string;
  quarantine: string;
}

function quarantine(areas: JournalAreas, j: JournalRead, reasons: string[]): void {
  const dir = areas.quarantine;
  mkdirSync(dir, { recursive: true });
  const dest = join(dir, basename(j.path));
  try {
    renameSync(j.path, dest);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // another process moved it first
    throw err;
  }
  const shown = reasons.slice(0, 3).join('; ') + (reasons.length > 3 ? `; and ${reasons.length - 3} more` : '');
  process.stderr.write(
    `git-ml: warning: the journal ${j.path} of a finished process could not be folded completely (${shown}). ` +
      `Everything else in it was folded; the file was moved to ${dest}. Once the cause is fixed, move it back ` +
      `into ${areas.journal} to fold the rest, or delete it to drop those lines.\n`,
  );
}

/**
 * Folds what dead processes left in `.git/ml/journal`, marking runs they owned KILLED. A journal
 * that cannot be folded completely (a garbage header, lines that are not entries, a run whose ref
 * is gone) is moved aside with a warning naming it, so every other run stays usable.
 */
export function recoverJournals(ctx: FoldContext, areas: JournalAreas, journals: JournalRead[]): void {
  const dead: JournalRead[] = [];
  for (const j of journals) {
    if (j.header) {
      if (isDeadWriter(j)) dead.push(j);
      continue;
    }
    if (j.bad.length > 0) {
      quarantine(areas, j, j.bad);
      continue;
    }
    // a header never finished: its writer died at once, and nothing else can be in the file
    const st = statSync(j.path, { throwIfNoEntry: false });
    if (st && Date.now() - st.mtimeMs > 60_000) removeJournalFile(j.path);
  }
  if (dead.length === 0) return;
  const runIds = [...new Set(dead.flatMap((j) => [...j.byRun.keys()]))];
  const orphans = orphanedRuns(dead);
  const failed = new Map<string, string>();
  const busy = new Set<string>();
  const recCtx: FoldContext = {
    git: ctx.git,
    author: ctx.author,
    refOf: (runId, js) => ctx.refOf(runId, js),
    folded: (runId, state) => ctx.folded(runId, state),
    hasCommit: (oid) => ctx.hasCommit(oid),
    cloneId: ctx.cloneId,
    unfoldable(runId, why, code) {
      if (code === 'REF_LOCKED') busy.add(runId);
      else failed.set(runId, why);
    },
  };
  for (let i = 0; i < runIds.length; i += FOLD_CHUNK) foldBatch(recCtx, runIds.slice(i, i + FOLD_CHUNK), journals, orphans);
  for (const j of dead) {
    const mine = [...j.byRun.keys()];
    // another process is recovering this journal right now; it finishes the job
    if (mine.some((r) => busy.has(r))) continue;
    const reasons = [...j.bad, ...mine.filter((r) => failed.has(r)).map((r) => `run ${r}: ${failed.get(r)}`)];
    if (reasons.length > 0) quarantine(areas, j, reasons);
    else removeJournalFile(j.path);
  }
}
