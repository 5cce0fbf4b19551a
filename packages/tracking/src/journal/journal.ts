import { closeSync, openSync, readdirSync, readSync, fstatSync, writeSync, mkdirSync, rmdirSync, unlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Entry } from '../store/run-state.js';
import type { ProcessIdentity } from './process-identity.js';

/** The first line of every journal file: whose it is and which run it belongs to. */
export interface JournalHeader {
  op: 'hdr';
  run_id: string;
  experiment_id: string;
  writer: string;
  proc: ProcessIdentity;
  /** true when this process started the run, so the run dies with it */
  owner: boolean;
}

export function journalRoot(mlDir: string): string {
  return join(mlDir, 'journal');
}

/**
 * An append-only log of one process's changes to one run: `.git/ml/journal/<run-id>/<writer>.jsonl`.
 * A logging call returns after its line is written to the file, so the value survives the process
 * being killed; folding turns the lines into a commit on the run's ref later.
 */
export class JournalWriter {
  readonly path: string;
  readonly header: JournalHeader;
  private fd: number;
  size: number;

  constructor(mlDir: string, header: Omit<JournalHeader, 'op' | 'writer'>, writerPrefix: string) {
    const dir = join(journalRoot(mlDir), header.run_id);
    mkdirSync(dir, { recursive: true });
    const writer = `${writerPrefix}-${randomBytes(4).toString('hex')}`;
    this.header = { op: 'hdr', ...header, writer };
    this.path = join(dir, `${writer}.jsonl`);
    this.fd = openSync(this.path, 'wx');
    const line = `${JSON.stringify(this.header)}\n`;
    writeSync(this.fd, line);
    this.size = Buffer.byteLength(line);
  }

  append(text: string): void {
    const buf = Buffer.from(text, 'utf8');
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off);
    this.size += buf.length;
  }

  appendEntry(e: Entry): void {
    this.append(`${JSON.stringify(e)}\n`);
  }

  /** Closes and removes the file; call only once everything in it is folded into the run's ref. */
  remove(): void {
    closeSync(this.fd);
    removeJournalFile(this.path);
  }
}

export function removeJournalFile(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  try {
    rmdirSync(join(path, '..'));
  } catch {
    // other journals for this run remain, or someone else removed it
  }
}

export interface JournalRead {
  header: JournalHeader | null;
  entries: Entry[];
  /** byte offset just past the last complete line read */
  end: number;
}

/** Reads complete lines from `from` on (a partial last line is still being written, or was cut by a kill). */
export function readJournal(path: string, from = 0): JournalRead | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, buf, got, size - got, got);
      if (n === 0) break;
      got += n;
    }
    const headerEnd = buf.indexOf(10);
    if (headerEnd < 0 || headerEnd >= got) return { header: null, entries: [], end: 0 };
    const header = JSON.parse(buf.toString('utf8', 0, headerEnd)) as JournalHeader;
    const start = Math.max(from, headerEnd + 1);
    const last = buf.lastIndexOf(10, got - 1);
    const entries: Entry[] = [];
    if (last >= start) {
      for (const line of buf.toString('utf8', start, last).split('\n')) if (line) entries.push(JSON.parse(line) as Entry);
    }
    return { header, entries, end: Math.max(start, last + 1) };
  } finally {
    closeSync(fd);
  }
}

/** Journal files of one run, by path. */
export function listRunJournals(mlDir: string, runId: string): string[] {
  const dir = join(journalRoot(mlDir), runId);
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.jsonl'))
      .sort()
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

/** Run ids that have journal files (pending or orphaned changes). */
export function listJournalRuns(mlDir: string): string[] {
  try {
    return readdirSync(journalRoot(mlDir));
  } catch {
    return [];
  }
}
