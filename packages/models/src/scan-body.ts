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

interface Level {
  object: boolean;
  empty: boolean;
  expectKey: boolean;
}

/** JSON: nesting depth, and values (scalars and empty lists/objects; object keys are not values). */
export class JsonBodyScan implements BodyScan {
  private inString = false;
  private escaped = false;
  private inToken = false;
  private readonly stack: Level[] = [];
  private cells = 0;

  constructor(
    private readonly limits: InputLimits,
    private readonly what = 'The body',
  ) {}

  push(chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (b === 0x5c) this.escaped = true;
        else if (b === QUOTE) this.inString = false;
        continue;
      }
      const delimiter = b === 0x2c || b === 0x5d || b === 0x7d || b === 0x3a || b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
      if (this.inToken) {
        if (!delimiter) continue;
        this.inToken = false;
      }
      const top = this.stack[this.stack.length - 1];
      if (b === QUOTE) {
        this.inString = true;
        if (top?.object && top.expectKey) top.expectKey = false;
        else this.value(top);
      } else if (b === 0x5b || b === 0x7b) {
        if (top) top.empty = false;
        if (this.stack.length >= this.limits.maxDepth) throw overLimit('maxDepth', this.limits, `${this.what} nests lists or objects more than ${this.limits.maxDepth} deep`);
        this.stack.push({ object: b === 0x7b, empty: true, expectKey: b === 0x7b });
      } else if (b === 0x5d || b === 0x7d) {
        const closed = this.stack.pop();
        if (closed?.empty) this.value(undefined);
      } else if (b === 0x2c) {
        if (top?.object) top.expectKey = true;
      } else if (!delimiter) {
        this.inToken = true;
        this.value(top);
      }
    }
  }

  private value(top: Level | undefined): void {
    if (top) top.empty = false;
    if (++this.cells > this.limits.maxCells) throw overLimit('maxCells', this.limits, `${this.what} has more than ${this.limits.maxCells} values`);
  }
}
