import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, join } from 'node:path';
import type { Entry } from '../store/run-state.js';
import type { ProcessIdentity } from '@git-ml/gitstore';

/** The first line of every journal file: which process writes it. */
export interface JournalHeader {
  op: 'hdr';
  writer: string;
  proc: ProcessIdentity;
}

/** A journal line: an entry for run `r`. `own` on a create (or an `own` entry) ties the run to the writer's life. */
export type JournalLine = Entry & { r: string; own?: boolean };

export function journalRoot(mlDir: string): string {
  return join(mlDir, 'journal');
}

/**
 * One process's append-only log of changes: `.git/ml/journal/<writer>.jsonl`, one JSON line per
 * change, each naming its run. A logging call returns after its line is written to the file, so
 * the value survives the process being killed; folding turns lines into commits on run refs.
 */
export class JournalWriter {
  /** a fresh name for every file: fold offsets are per writer, so a name is never reused */
  writer = '';
  path = '';
  private fd = -1;
  size = 0;

  constructor(private mlDir: string, private proc: ProcessIdentity) {}

  get opened(): boolean {
    return this.fd >= 0;
  }

  append(text: string): void {
    if (this.fd < 0) {
      this.writer = `${this.proc.pid}-${randomBytes(6).toString('hex')}`;
      this.path = join(journalRoot(this.mlDir), `${this.writer}.jsonl`);
      mkdirSync(journalRoot(this.mlDir), { recursive: true });
      this.fd = openSync(this.path, 'wx');
      const header: JournalHeader = { op: 'hdr', writer: this.writer, proc: this.proc };
      text = `${JSON.stringify(header)}\n${text}`;
    }
    const buf = Buffer.from(text, 'utf8');
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off);
    this.size += buf.length;
  }

  /** Closes the file but keeps it, for lines that could not be folded (recovered later). */
  release(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
    this.size = 0;
  }

  /** Closes and removes the file; call only once everything in it is folded into run refs. */
  remove(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
    this.size = 0;
    removeJournalFile(this.path);
  }
}

export function removeJournalFile(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

export interface PositionedLine {
  line: JournalLine;
  /** byte offset where the line starts */
  start: number;
}

export interface JournalRead {
  path: string;
  writer: string;
  header: JournalHeader | null;
  lines: PositionedLine[];
  /** byte offset just past the last complete line */
  end: number;
}

/** Reads every complete line (a partial last line is still being written, or was cut by a kill). */
export function readJournal(path: string): JournalRead | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const writer = basename(path, '.jsonl');
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
    if (headerEnd < 0 || headerEnd >= got) return { path, writer, header: null, lines: [], end: 0 };
    const header = JSON.parse(buf.toString('utf8', 0, headerEnd)) as JournalHeader;
    const lines: PositionedLine[] = [];
    let start = headerEnd + 1;
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0 || nl >= got) break;
      if (nl > start) {
        try {
          lines.push({ line: JSON.parse(buf.toString('utf8', start, nl)) as JournalLine, start });
        } catch {
          // a line torn by a crash mid-write, followed by a newer writer's line: skip it
        }
      }
      start = nl + 1;
    }
    return { path, writer, header, lines, end: start };
  } finally {
    closeSync(fd);
  }
}

/** Every journal file, by path. */
export function listJournals(mlDir: string): string[] {
  try {
    return readdirSync(journalRoot(mlDir))
      .filter((f) => f.endsWith('.jsonl'))
      .sort()
      .map((f) => join(journalRoot(mlDir), f));
  } catch {
    return [];
  }
}

/** Reads all journals once, for an operation that looks at many runs. */
export function readAllJournals(mlDir: string): JournalRead[] {
  const out: JournalRead[] = [];
  for (const p of listJournals(mlDir)) {
    const r = readJournal(p);
    if (r) out.push(r);
  }
  return out;
}
