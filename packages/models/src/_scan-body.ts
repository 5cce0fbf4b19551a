/**
 * Counts rows, values and nesting in a request body while its bytes arrive, so that a body past
 * the input limits is refused after the first chunk that crosses one: the server never holds,
 * decodes or parses the rest. The byte scanners follow the parsers' rules (read-csv, read-json),
 * which check again, exactly, on the whole body.
 */
import { overLimit, type InputLimits } from './limits.js';

export interface BodyScan {
  /** Scans the next bytes; throws InputLimitError past a limit. */
  push(chunk: Uint8Array): void;
}

const QUOTE = 0x22;

/** CSV: data rows (non-blank lines after the header, quoted line breaks excluded) and cells. */
export class CsvBodyScan implements BodyScan {
  private inQuotes = false;
  private quoteSeen = false;
  private cellStart = true;
  private lineHasContent = false;
  private commas = 0;
  private lines = 0;
  private cells = 0;

  constructor(private readonly limits: InputLimits) {}

  push(chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (this.quoteSeen) {
        this.quoteSeen = false;
        if (b === QUOTE) continue; // a doubled quote inside a quoted field
        this.inQuotes = false;
      }
      if (this.inQuotes) {
        if (b === QUOTE) this.quoteSeen = true;
        continue;
      }
      if (b === 0x0a) this.endLine();
      else if (b === 0x2c) {
        this.commas++;
        this.cellStart = true;
        this.lineHasContent = true;
      } else if (b !== 0x0d) {
        if (b === QUOTE && this.cellStart) this.inQuotes = true;
        this.cellStart = false;
        this.lineHasContent = true;
      }
    }
  }

  private endLine(): void {
    if (this.lineHasContent && this.lines++ > 0) {
      const rows = this.lines - 1;
      if (rows > this.limits.maxRows) throw overLimit('maxRows', this.limits, `The CSV body has more than ${this.limits.maxRows} rows`);
      this.cells += this.commas + 1;
      if (this.cells > this.limits.maxCells) throw overLimit('maxCells', this.limits, `The CSV body has more than ${this.limits.maxCells} values`);
    }
    this.commas = 0;
    this.cellStart = true;
    this.lineHasContent = false;
  }
}

const OTHER = 0;
const SPACE = 1;
const COMMA = 2;
const COLON = 3;
const STRING = 4;
const OPEN = 5;
const CLOSE = 6;
/** What each byte does to the JSON scanner; OTHER bytes start or continue a number or literal. */
const KIND = new Uint8Array(256);
for (const b of [0x20, 0x0a, 0x0d, 0x09]) KIND[b] = SPACE;
KIND[0x2c] = COMMA;
KIND[0x3a] = COLON;
KIND[QUOTE] = STRING;
KIND[0x5b] = OPEN;
KIND[0x7b] = OPEN;
KIND[0x5d] = CLOSE;
KIND[0x7d] = CLOSE;

// flags of an open list or object on the scanner's stack
const OBJECT = 1;
const EMPTY = 2;
const EXPECT_KEY = 4;

/** JSON: nesting depth, and values (scalars and empty lists/objects; object keys are not values). */
export class JsonBodyScan implements BodyScan {
  private inString = false;
  private escaped = false;
  private inToken = false;
  /** one byte of flags per open list or object (the depth is bounded, so nothing is allocated per bracket) */
  private readonly stack: Uint8Array;
  private depth = 0;
  private cells = 0;

  constructor(
    private readonly limits: InputLimits,
    private readonly what = 'The body',
  ) {
    this.stack = new Uint8Array(Math.min(limits.maxDepth, 1 << 16) + 1);
  }

  push(chunk: Uint8Array): void {
    const n = chunk.length;
    const stack = this.stack;
    const { maxCells, maxDepth } = this.limits;
    let depth = this.depth;
    let cells = this.cells;
    let inString = this.inString;
    let escaped = this.escaped;
    let inToken = this.inToken;
    let i = 0;
    while (i < n) {
      if (inString) {
        if (escaped) {
          escaped = false;
          i++;
          continue;
        }
        // jump to the next quote; an odd run of backslashes before it escapes it
        const q = chunk.indexOf(QUOTE, i);
        const end = q < 0 ? n : q;
        let slashes = 0;
        while (end - 1 - slashes >= i && chunk[end - 1 - slashes] === 0x5c) slashes++;
        if (q < 0) {
          escaped = slashes % 2 === 1;
          break;
        }
        i = q + 1;
        if (slashes % 2 === 0) inString = false;
        continue;
      }
      if (inToken) {
        // the rest of a number or literal
        while (i < n && KIND[chunk[i]] === OTHER) i++;
        if (i === n) break;
        inToken = false;
      }
      const b = chunk[i++];
      const kind = KIND[b];
      if (kind === SPACE || kind === COLON) continue;
      const top = depth > 0 ? depth - 1 : -1;
      if (kind === STRING) {
        inString = true;
        if (top >= 0 && (stack[top] & (OBJECT | EXPECT_KEY)) === (OBJECT | EXPECT_KEY)) stack[top] &= ~EXPECT_KEY;
        else {
          if (top >= 0) stack[top] &= ~EMPTY;
          if (++cells > maxCells) this.tooMany();
        }
      } else if (kind === OPEN) {
        if (top >= 0) stack[top] &= ~EMPTY;
        if (depth >= maxDepth) throw overLimit('maxDepth', this.limits, `${this.what} nests lists or objects more than ${maxDepth} deep`);
        stack[depth++] = b === 0x7b ? OBJECT | EMPTY | EXPECT_KEY : EMPTY;
      } else if (kind === CLOSE) {
        if (depth > 0 && stack[--depth] & EMPTY && ++cells > maxCells) this.tooMany();
      } else if (kind === COMMA) {
        if (top >= 0 && stack[top] & OBJECT) stack[top] |= EXPECT_KEY;
      } else {
        inToken = true;
        if (top >= 0) stack[top] &= ~EMPTY;
        if (++cells > maxCells) this.tooMany();
      }
    }
    this.depth = depth;
    this.cells = cells;
    this.inString = inString;
    this.escaped = escaped;
    this.inToken = inToken;
  }

  private tooMany(): never {
    throw overLimit('maxCells', this.limits, `${this.what} has more than ${this.limits.maxCells} values`);
  }
}
