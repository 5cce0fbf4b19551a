import { closeSync, fstatSync, ftruncateSync, mkdirSync, openSync, readdirSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { JournalWriteError } from '../errors.js';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
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


/**
 * One process's append-only log of changes: `<writer>.jsonl` in the journal area, one JSON line per
 * change, each naming its run. A logging call returns after its line is written to the file, so
 * the value survives the process being killed; folding turns lines into commits on run refs.
 */
export class JournalWriter {
  /** a fresh name for every file: fold offsets are per writer, so a name is never reused */
  writer = '';
  path = '';
  private fd = -1;
  size = 0;

  /** `cloneId` prefixes the writer's name, so other clones can tell this clone's writers from theirs */
  constructor(
    /** the journal directory (gitstore's `journal` area) */
    private dir: string,
    private proc: ProcessIdentity,
    private cloneId = '',
  ) {}

  get opened(): boolean {
    return this.fd >= 0;
  }

  /**
   * Appends lines with `write(2)`; durable against a process kill once this returns. All or nothing:
   * if the write fails part way (a full disk), the file is cut back to where it was and the call
   * throws, so a torn batch is never half-applied and later lines are never glued onto it.
   * Returns the byte offset at which `text` begins in the file.
   */
  append(text: string): number {
    if (this.fd < 0) {
      const writer = `${this.cloneId ? `${this.cloneId}-` : ''}${this.proc.pid}-${randomBytes(6).toString('hex')}`;
      const path = join(this.dir, `${writer}.jsonl`);
      mkdirSync(this.dir, { recursive: true });
      const fd = openSync(path, 'wx');
      const header: JournalHeader = { op: 'hdr', writer, proc: this.proc };
      try {
        writeAll(fd, Buffer.from(`${JSON.stringify(header)}\n`, 'utf8'));
      } catch (err) {
        closeSync(fd);
        removeJournalFile(path);
        throw journalWriteError(path, err);
      }
      this.fd = fd;
      this.writer = writer;
      this.path = path;
      this.size = fstatSync(fd).size;
    }
    const buf = Buffer.from(text, 'utf8');
    try {
      writeAll(this.fd, buf, this.size);
    } catch (err) {
      try {
        ftruncateSync(this.fd, this.size);
      } catch {
        // cannot even cut it back: start a new file next time, so nothing is glued to the torn line
        closeSync(this.fd);
        this.fd = -1;
      }
      throw journalWriteError(this.path, err);
    }
    const start = this.size;
    this.size += buf.length;
    return start;
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

function writeAll(fd: number, buf: Buffer, position?: number): void {
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off, position === undefined ? null : position + off);
}

function journalWriteError(path: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const hint = code === 'ENOSPC' ? 'the disk is full; free space and log again' : code === 'EDQUOT' ? 'the disk quota is used up; free space and log again' : 'check the file system';
  return new JournalWriteError(`Could not write to the journal ${path} (${code ?? (err as Error).message}): the value was NOT logged; ${hint}.`, { path, cause: err });
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

/** A snapshot of one journal file: the lines complete when it was read. */
export interface JournalRead {
  path: string;
  writer: string;
  header: JournalHeader | null;
  /** the same lines grouped by run, parsed on first use (a fold parses only the runs it folds) */
  byRun: RunLines;
  /** byte offset just past the last complete line of this snapshot */
  end: number;
  /** lines that are not valid journal entries: `line N: reason` (skipped, never applied) */
  bad: string[];
}

const RUN_ID = /^[0-9a-f]{32}$/;
const OPS = new Set(['create', 'p', 'm', 't', 'dt', 'u', 'a', 'own']);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Checks a parsed line's shape before anything uses it; returns why it is not a journal entry, or null. */
export function checkLine(x: unknown): string | null {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) return 'not a JSON object';
  const l = x as Record<string, unknown>;
  if (!isStr(l.r) || !RUN_ID.test(l.r)) return "field 'r' is not a run id";
  if (!isStr(l.op) || !OPS.has(l.op)) return `unknown op ${JSON.stringify(l.op)}`;
  switch (l.op) {
    case 'create': {
      const info = l.info as Record<string, unknown> | undefined;
      if (!info || typeof info !== 'object' || info.run_id !== l.r || !isStr(info.experiment_id) || !isStr(info.run_name) || !isStr(info.status) || !isNum(info.start_time)) {
        return "field 'info' of a create is incomplete";
      }
      if (l.tags === null || typeof l.tags !== 'object') return "field 'tags' of a create is missing";
      return null;
    }
    case 'p':
    case 't':
      return isStr(l.k) && isStr(l.v) ? null : "fields 'k' and 'v' must be strings";
    case 'dt':
      return isStr(l.k) ? null : "field 'k' must be a string";
    case 'm':
      return isStr(l.k) && (isNum(l.v) || l.v === 'nan' || l.v === 'inf' || l.v === '-inf') && isNum(l.t) && isNum(l.s) ? null : "a metric needs 'k', 'v', 't' and 's'";
    case 'a':
      return isStr(l.path) && isStr(l.oid) && /^[0-9a-f]{40}$/.test(l.oid) && (l.mode === '100644' || l.mode === '100755' || l.mode === '40000' || l.mode === '120000') ? null : "an artifact needs 'path', 'oid' and 'mode'";
    default:
      return null;
  }
}

function checkHeader(x: unknown): x is JournalHeader {
  if (x === null || typeof x !== 'object') return false;
  const h = x as Record<string, unknown>;
  const proc = h.proc as Record<string, unknown> | undefined;
  return h.op === 'hdr' && isStr(h.writer) && !!proc && typeof proc === 'object' && isNum(proc.pid);
}

const RUN_PREFIX = '{"r":"';

/**
 * A journal's lines grouped by run id. The id is read from the line's fixed prefix (`{"r":"<id>"`,
 * how git-ml writes every line) without parsing; a run's lines are JSON-parsed and shape-checked the
 * first time someone asks for them, so a process folding its own runs never parses other processes'
 * lines. Lines not in that form are parsed at once (and reported in `bad` if they are not entries).
 */
export class RunLines {
  private raw = new Map<string, { start: number; text: string }[]>();
  private parsed = new Map<string, { lines: PositionedLine[]; upTo: number }>();
  constructor(private bad: string[]) {}

  add(runId: string, start: number, text: string): void {
    let list = this.raw.get(runId);
    if (!list) this.raw.set(runId, (list = []));
    list.push({ start, text });
  }

  addParsed(p: PositionedLine): void {
    const runId = p.line.r;
    let cached = this.parsed.get(runId);
    // a run first seen here starts its parsed list now (nothing of it is left to parse)
    if (!cached && !this.raw.has(runId)) this.parsed.set(runId, (cached = { lines: [], upTo: 0 }));
    this.add(runId, p.start, '');
    if (cached && cached.upTo === this.raw.get(runId)!.length - 1) {
      cached.lines.push(p);
      cached.upTo++;
    } else this.pre.set(`${p.line.r}:${p.start}`, p);
  }
  private pre = new Map<string, PositionedLine>();

  has(runId: string): boolean {
    return this.raw.has(runId);
  }

  keys(): IterableIterator<string> {
    return this.raw.keys();
  }

  get size(): number {
    return this.raw.size;
  }

  /** The valid lines of `runId` in file order (parsed now if not yet). */
  get(runId: string): PositionedLine[] | undefined {
    const raw = this.raw.get(runId);
    if (!raw) return undefined;
    let c = this.parsed.get(runId);
    if (!c) this.parsed.set(runId, (c = { lines: [], upTo: 0 }));
    for (; c.upTo < raw.length; c.upTo++) {
      const { start, text } = raw[c.upTo];
      const pre = this.pre.get(`${runId}:${start}`);
      if (pre) {
        this.pre.delete(`${runId}:${start}`);
        c.lines.push(pre);
        continue;
      }
      let parsed: unknown;
      let why: string | null;
      try {
        parsed = JSON.parse(text);
        why = checkLine(parsed);
        if (why === null && (parsed as JournalLine).r !== runId) why = 'run id does not match the line prefix';
      } catch {
        why = 'not valid JSON';
      }
      if (why === null) c.lines.push({ line: parsed as JournalLine, start });
      else if (why !== 'not valid JSON') this.bad.push(`byte ${start}: ${why}`);
    }
    return c.lines;
  }

  *[Symbol.iterator](): IterableIterator<[string, PositionedLine[]]> {
    for (const runId of this.raw.keys()) yield [runId, this.get(runId)!];
  }
}

/** What one cached journal file holds so far. */
interface CachedJournal {
  ino: number;
  read: JournalRead;
}

/**
 * Reads journals incrementally: each call reads only the bytes appended since the last one, so a
 * fold or a read costs what was logged since, not the journal's length.
 */
export class JournalCache {
  private files = new Map<string, CachedJournal>();
  /** `dir`: the journal directory (gitstore's `journal` area) */
  constructor(private dir: string) {}

  /**
   * Records lines this process just wrote at `start` (one per entry, `lines[i]` its text) so reading
   * them back costs no parse — and, when they are all the file gained since the last read, no read.
   * Kept per file as one contiguous range (a write elsewhere starts a new one).
   */
  wrote(path: string, start: number, lines: { text: string; line: JournalLine }[]): void {
    let k = this.known.get(path);
    if (!k || k.end !== start) this.known.set(path, (k = { from: start, end: start, starts: [], lines: [] }));
    for (const l of lines) {
      k.starts.push(k.end);
      k.lines.push(l.line);
      k.end += Buffer.byteLength(l.text);
    }
  }
  /** per file: the contiguous byte range this process wrote since the last read, line by line */
  private known = new Map<string, KnownLines>();

  /** Every journal file as it is now. */
  readAll(): JournalRead[] {
    const out: JournalRead[] = [];
    const seen = new Set<string>();
    for (const path of listJournals(this.dir)) {
      seen.add(path);
      const r = this.readOne(path);
      if (r) out.push(r);
    }
    for (const p of this.files.keys()) if (!seen.has(p)) this.files.delete(p);
    for (const p of this.known.keys()) if (!seen.has(p)) this.known.delete(p);
    return out;
  }

  /** Forgets a file (it was removed or moved aside). */
  forget(path: string): void {
    this.files.delete(path);
  }

  /** One journal file as it is now (incrementally, when read before). */
  readOne(path: string): JournalRead | null {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        this.files.delete(path);
        return null;
      }
      throw err;
    }
    try {
      const st = fstatSync(fd);
      let c = this.files.get(path);
      if (c && (c.ino !== st.ino || st.size < c.read.end)) c = undefined;
      if (!c) {
        const bad: string[] = [];
        c = { ino: st.ino, read: { path, writer: basename(path, '.jsonl'), header: null, byRun: new RunLines(bad), end: 0, bad } };
        this.files.set(path, c);
      }
      const r = c.read;
      const k = this.known.get(path);
      this.known.delete(path);
      // what this process wrote is taken as it is; other bytes (the header, lines written before a
      // rotation or by a writer this process does not know) are read and parsed
      const readUpTo = k && k.end === st.size && k.from >= r.end ? k.from : st.size;
      if (readUpTo > r.end) parseInto(r, readAllFrom(fd, r.end, readUpTo), k && readUpTo === st.size ? knownByStart(k) : undefined);
      if (k && readUpTo < st.size) {
        // the bytes before them did not end where they begin (a torn line): read everything
        if (r.header === null || r.end !== k.from) parseInto(r, readAllFrom(fd, r.end, st.size), knownByStart(k));
        else {
          // one writer per file, at known offsets: the bytes are exactly these lines, not read back
          for (let i = 0; i < k.starts.length; i++) r.byRun.addParsed({ line: k.lines[i], start: k.starts[i] });
          r.end = k.end;
        }
      }
      // a fresh snapshot object: `end` fixed now, arrays shared (only ever appended to)
      return { ...r };
    } finally {
      closeSync(fd);
    }
  }
}

interface KnownLines {
  from: number;
  end: number;
  starts: number[];
  lines: JournalLine[];
}

function knownByStart(k: KnownLines): Map<number, JournalLine> {
  const m = new Map<number, JournalLine>();
  for (let i = 0; i < k.starts.length; i++) m.set(k.starts[i], k.lines[i]);
  return m;
}

function readAllFrom(fd: number, from: number, to: number): Buffer {
  const buf = Buffer.allocUnsafe(Math.max(0, to - from));
  let got = 0;
  while (got < buf.length) {
    const n = readSync(fd, buf, got, buf.length - got, from + got);
    if (n === 0) break;
    got += n;
  }
  return buf.subarray(0, got);
}

function parseInto(r: JournalRead, buf: Buffer, known?: Map<number, JournalLine>): void {
  let start = 0;
  const base = r.end;
  if (base === 0 && r.header === null) {
    const headerEnd = buf.indexOf(10);
    if (headerEnd < 0) return;
    let h: unknown;
    try {
      h = JSON.parse(buf.toString('utf8', 0, headerEnd));
    } catch {
      h = null;
    }
    if (!checkHeader(h)) {
      r.bad.push('line 1: not a journal header');
      // nothing in a file without a valid header is trusted; its lines are not read
      r.end = buf.length;
      return;
    }
    r.header = h;
    start = headerEnd + 1;
  } else if (r.header === null) return;
  for (;;) {
    const nl = buf.indexOf(10, start);
    if (nl < 0) break;
    if (nl > start) {
      // the usual form, `{"r":"<32 hex>",…`: grouped by run now, parsed when that run is read
      if (nl - start > 40 && buf.toString('latin1', start, start + 6) === RUN_PREFIX && buf[start + 38] === 0x22) {
        const runId = buf.toString('latin1', start + 6, start + 38);
        const pre = known?.get(base + start);
        if (pre && pre.r === runId) {
          known!.delete(base + start);
          r.byRun.addParsed({ line: pre, start: base + start });
          start = nl + 1;
          continue;
        }
        if (/^[0-9a-f]{32}$/.test(runId)) {
          r.byRun.add(runId, base + start, buf.toString('utf8', start, nl));
          start = nl + 1;
          continue;
        }
      }
      let parsed: unknown;
      let why: string | null;
      try {
        parsed = JSON.parse(buf.toString('utf8', start, nl));
        why = checkLine(parsed);
      } catch {
        // a line torn by a crash mid-write (a later writer never glues onto it: see JournalWriter)
        why = 'not valid JSON';
      }
      if (why === null) r.byRun.addParsed({ line: parsed as JournalLine, start: base + start });
      else if (why !== 'not valid JSON') r.bad.push(`byte ${base + start}: ${why}`);
    }
    start = nl + 1;
  }
  r.end = base + start;
}

/** Reads one journal file from the start. */
export function readJournal(path: string): JournalRead | null {
  return new JournalCache(dirname(path)).readOne(path);
}

/** Every journal file, by path. */
export function listJournals(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.jsonl'))
      .sort()
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

/** Reads all journals once, from the start (no cache). */
export function readAllJournals(dir: string): JournalRead[] {
  return new JournalCache(dir).readAll();
}
