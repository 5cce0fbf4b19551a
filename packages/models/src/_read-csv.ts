/**
 * CSV request bodies (RFC 4180: quoted fields, doubled quotes, CRLF or LF), read row by row under
 * the input limits: the reader stops at the first row past maxRows or cell past maxCells, and the
 * async form gives the event loop back every few milliseconds.
 */
import { BadInputError } from './errors.js';
import { overLimit, type InputLimits } from './limits.js';

const SLICE_MS = 4;
const UNLIMITED: InputLimits = { maxRows: Infinity, maxCells: Infinity, maxDepth: Infinity };

/** Called with each row (the header first) and its line number; returns what to keep for it. */
export type CsvRowHandler<T> = (cells: string[], line: number) => T;

/** All rows of `text`, the header first, each through `onRow`; yields while it reads a large body. */
export async function readCsv<T>(text: string, limits: InputLimits, onRow: CsvRowHandler<T>): Promise<T[]> {
  const reader = new CsvReader(text, limits, onRow);
  while (!reader.step(performance.now() + SLICE_MS)) await new Promise((r) => setImmediate(r));
  return reader.rows;
}

/** Like readCsv, without yielding. */
export function readCsvSync<T>(text: string, limits: InputLimits | undefined, onRow: CsvRowHandler<T>): T[] {
  const reader = new CsvReader(text, limits ?? UNLIMITED, onRow);
  reader.step(Infinity);
  return reader.rows;
}

class CsvReader<T> {
  readonly rows: T[] = [];
  private pos = 0;
  private line = 1;
  private cells = 0;

  constructor(
    private readonly text: string,
    private readonly limits: InputLimits,
    private readonly onRow: CsvRowHandler<T>,
  ) {}

  step(deadline: number): boolean {
    let n = 0;
    while (this.pos < this.text.length) {
      if ((++n & 255) === 0 && performance.now() > deadline) return false;
      const line = this.line;
      const row = this.row();
      if (row.length === 1 && row[0] === '') continue; // a blank line
      if (this.rows.length > 0) {
        if (this.rows.length > this.limits.maxRows) throw overLimit('maxRows', this.limits, `The CSV body has more than ${this.limits.maxRows} rows`);
        this.cells += row.length;
        if (this.cells > this.limits.maxCells) throw overLimit('maxCells', this.limits, `The CSV body has more than ${this.limits.maxCells} values`);
      }
      this.rows.push(this.onRow(row, line));
    }
    return true;
  }

  /** Reads one line's cells and moves past its line ending. */
  private row(): string[] {
    const text = this.text;
    const cells: string[] = [];
    for (;;) {
      let cell = '';
      let p = this.pos;
      if (text.charCodeAt(p) === 0x22) {
        const start = this.line;
        p++;
        for (;;) {
          const q = text.indexOf('"', p);
          if (q < 0) throw new BadInputError(`The CSV body ends inside a quoted field (opened on line ${start}); close it with '"'.`, { line: start });
          cell += text.slice(p, q);
          for (let i = text.indexOf('\n', p); i >= 0 && i < q; i = text.indexOf('\n', i + 1)) this.line++;
          if (text.charCodeAt(q + 1) === 0x22) {
            cell += '"';
            p = q + 2;
          } else {
            p = q + 1;
            break;
          }
        }
      }
      let end = p;
      for (let c = text.charCodeAt(end); end < text.length && c !== 0x2c && c !== 0x0a && c !== 0x0d; c = text.charCodeAt(++end));
      cell += text.slice(p, end);
      cells.push(cell);
      const c = text.charCodeAt(end);
      this.pos = end + 1;
      if (c === 0x2c) continue;
      if (c === 0x0d && text.charCodeAt(end + 1) === 0x0a) this.pos++;
      if (end < text.length) this.line++;
      return cells;
    }
  }
}
