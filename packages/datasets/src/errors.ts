/**
 * The base class of the errors this package raises on purpose: `code` is stable, `data` carries the
 * facts the message was built from, `cause` keeps the underlying error.
 */
export class DatasetError extends Error {
  readonly code: string;
  readonly data: Record<string, unknown>;
  constructor(code: string, message: string, data: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.data = data;
  }
}

/** An argument is out of range or of the wrong kind. */
export class DatasetArgumentError extends DatasetError {
  constructor(field: string, value: unknown, expected: string) {
    super('INVALID_ARGUMENT', `Invalid ${field}: ${describe(value)}. Expected ${expected}.`, { field, value, expected });
  }
}

/** A CSV file is not a numeric table with a header; the message names the file, line and column. */
export class CsvFormatError extends DatasetError {
  constructor(file: string, line: number, problem: string, column?: string) {
    const where = column === undefined ? `${file}:${line}` : `${file}:${line} (column ${column})`;
    super('CSV_FORMAT', `${where}: ${problem}`, { file, line, column, problem });
  }
}

/** A column asked for by name is not in the table. */
export class ColumnNotFoundError extends DatasetError {
  constructor(column: string, available: string[], source?: string) {
    const from = source === undefined ? 'the table' : source;
    super(
      'COLUMN_NOT_FOUND',
      `No column named "${column}" in ${from}. Its columns are: ${available.join(', ')}. ` +
        'Pass the name of the target column exactly as it appears in the header.',
      { column, available, source },
    );
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
