// The journal reader takes the lines its own process wrote as they are (no read, no parse) when
// they are all the file gained; whatever else the file holds is read from disk. Either way a
// reader sees exactly what a reader in another process parses from the file.
import { appendFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '@git-ml/test-support';
import { JournalCache, JournalWriter, readJournal, type JournalLine, type JournalRead } from '../src/journal/journal.js';

afterEach(removeTempDirs);

const RUN_A = 'a'.repeat(32);
const RUN_B = 'b'.repeat(32);
const proc = { pid: process.pid, host: 'test', start: null };

function metric(r: string, k: string, v: number, s: number): JournalLine {
  return { r, op: 'm', k, v, t: 1_700_000_000_000 + s, s } as JournalLine;
}

/** Writes lines the way the tracking store does: append, then tell the reader what was written. */
function log(writer: JournalWriter, cache: JournalCache, lines: JournalLine[]): void {
  const texts = lines.map((line) => ({ text: `${JSON.stringify(line)}\n`, line }));
  const start = writer.append(texts.map((t) => t.text).join(''));
  cache.wrote(writer.path, start, texts);
}

function linesOf(r: JournalRead, runId: string): { start: number; line: JournalLine }[] {
  return (r.byRun.get(runId) ?? []).map((p) => ({ start: p.start, line: p.line }));
}

describe('reading back this process\'s own journal', () => {
  it('gives the same lines and offsets as a fresh reader parsing the file, across many reads', () => {
    const dir = tempDir();
    const writer = new JournalWriter(dir, proc, 'c0ffee00');
    const cache = new JournalCache(dir);
    // the create line is appended without being recorded: the reader must read it from disk
    writer.append(`${JSON.stringify({ r: RUN_A, op: 'create', info: { run_id: RUN_A, experiment_id: '0', run_name: 'x', status: 'RUNNING', start_time: 1 }, tags: {} })}\n`);
    for (let round = 0; round < 5; round++) {
      for (let s = 0; s < 50; s++) log(writer, cache, [metric(RUN_A, 'loss', s / 7, round * 50 + s), metric(RUN_B, 'acc', 1 - s / 9, round * 50 + s)]);
      const [mine] = cache.readAll();
      const fresh = readJournal(writer.path)!;
      expect(mine.end).toBe(fresh.end);
      expect(linesOf(mine, RUN_A)).toEqual(linesOf(fresh, RUN_A));
      expect(linesOf(mine, RUN_B)).toEqual(linesOf(fresh, RUN_B));
      expect(linesOf(mine, RUN_A)).toHaveLength(1 + (round + 1) * 50);
    }
  });

  it('reads from disk what it did not write itself: a torn line is dropped, a new file after it is taken as written', () => {
    const dir = tempDir();
    const writer = new JournalWriter(dir, proc, 'c0ffee00');
    const cache = new JournalCache(dir);
    log(writer, cache, [metric(RUN_A, 'loss', 1, 0)]);
    expect(linesOf(cache.readAll()[0], RUN_A)).toHaveLength(1);
    // bytes appended behind the writer's back (as a crash mid-write would leave them), then a line of its own
    appendFileSync(writer.path, '{"r":"' + RUN_A + '","op":"m","k":"lo');
    const fresh = new JournalWriter(dir, proc, 'c0ffee00');
    log(fresh, cache, [metric(RUN_A, 'loss', 2, 1)]);
    const reads = cache.readAll();
    const torn = reads.find((r) => r.path === writer.path)!;
    expect(linesOf(torn, RUN_A).map((l) => l.line.v)).toEqual([1]);
    const other = reads.find((r) => r.path === fresh.path)!;
    expect(linesOf(other, RUN_A)).toEqual(linesOf(readJournal(fresh.path)!, RUN_A));
    expect(linesOf(other, RUN_A).map((l) => l.line.v)).toEqual([2]);
  });

  it('takes lines recorded out of order (two ranges) by reading the file, still parsing none twice', () => {
    const dir = tempDir();
    const writer = new JournalWriter(dir, proc, 'c0ffee00');
    const cache = new JournalCache(dir);
    log(writer, cache, [metric(RUN_A, 'loss', 1, 0)]);
    // a line written but recorded as written nowhere: the range the reader knows is broken
    writer.append(`${JSON.stringify(metric(RUN_A, 'loss', 2, 1))}\n`);
    log(writer, cache, [metric(RUN_A, 'loss', 3, 2)]);
    const [r] = cache.readAll();
    expect(linesOf(r, RUN_A)).toEqual(linesOf(readJournal(writer.path)!, RUN_A));
    expect(linesOf(r, RUN_A).map((l) => l.line.v)).toEqual([1, 2, 3]);
  });
});
