import { readFile, writeFile } from 'node:fs/promises';
import { ColumnNotFoundError, CsvFormatError, DatasetError } from './errors.js';

/** A numeric table: a header of column names and rows of finite numbers, one per column. */
export interface CsvTable {
  columns: string[];
  rows: number[][];
}

/** A table with its target column taken out: `X[i]` holds the `features` of row i, `y[i]` its target. */
export interface FeaturesAndTarget {
  features: string[];
  target: string;
  X: number[][];
  y: number[];
}

/**
 * Reads a CSV file of numbers with a header row. Every row must have one finite number per column;
 * the first bad row is reported with the file, line and column.
 *
 * @example
 * const { X, y } = splitTarget(await readCsv('train.csv'), 'target');
 */
export async function readCsv(path: string): Promise<CsvTable> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new DatasetError('CSV_UNREADABLE', `Could not read the CSV file ${path}: ${(cause as Error).message}. Check the path.`, { file: path }, { cause });
  }
  return parseCsv(text, path);
}

/** Parses CSV text like {@link readCsv}; `source` names the text in error messages. */
export function parseCsv(text: string, source = '<csv text>'): CsvTable {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  if (lines.length === 0) throw new CsvFormatError(source, 1, 'the file is empty; expected a header row of column names');
  const columns = splitLine(lines[0], source, 1).map((name) => name.trim());
  columns.forEach((name, j) => {
    if (name === '') throw new CsvFormatError(source, 1, `header column ${j + 1} has no name`);
    if (columns.indexOf(name) !== j) throw new CsvFormatError(source, 1, `column name "${name}" appears twice in the header`);
  });
  const rows: number[][] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = i + 1;
    const cells = splitLine(lines[i], source, line);
    if (cells.length !== columns.length) {
      throw new CsvFormatError(source, line, `expected ${columns.length} values (one per header column), found ${cells.length}`);
    }
    rows.push(
      cells.map((cell, j) => {
        const text = cell.trim();
        const value = text === '' ? NaN : Number(text);
        if (!Number.isFinite(value)) {
          throw new CsvFormatError(source, line, `"${cell}" is not a finite number; every value must be numeric`, columns[j]);
        }
        return value;
      }),
    );
  }
  return { columns, rows };
}

/** Writes a table as CSV with a header; numbers are written so they read back exactly. */
export async function writeCsv(path: string, table: CsvTable): Promise<void> {
  await writeFile(path, formatCsv(table), 'utf8');
}

/** The CSV text of a table, as {@link writeCsv} writes it. */
export function formatCsv(table: CsvTable): string {
  const header = table.columns.map(quoteIfNeeded).join(',');
  const body = table.rows.map((row, i) => {
    if (row.length !== table.columns.length) {
      throw new DatasetError('CSV_ROW_WIDTH', `Row ${i} has ${row.length} values but the table has ${table.columns.length} columns.`, { row: i });
    }
    return row.map(String).join(',');
  });
  return [header, ...body].join('\n') + '\n';
}

/** Takes the `target` column out of a table: the rest become the features. */
export function splitTarget(table: CsvTable, target = 'target'): FeaturesAndTarget {
  const t = table.columns.indexOf(target);
  if (t < 0) throw new ColumnNotFoundError(target, table.columns);
  const keep = table.columns.map((_, j) => j).filter((j) => j !== t);
  return {
    features: keep.map((j) => table.columns[j]),
    target,
    X: table.rows.map((row) => keep.map((j) => row[j])),
    y: table.rows.map((row) => row[t]),
  };
}

/** Puts features and a target back into one table, target last. */
export function joinTarget(data: Pick<FeaturesAndTarget, 'features' | 'X' | 'y'> & { target?: string }): CsvTable {
  return {
    columns: [...data.features, data.target ?? 'target'],
    rows: data.X.map((row, i) => [...row, data.y[i]]),
  };
}

/** Splits one CSV line into fields; a field may be double-quoted, with `""` for a quote inside. */
function splitLine(line: string, source: string, lineNumber: number): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const close = line.indexOf('"', i);
        if (close < 0) throw new CsvFormatError(source, lineNumber, 'a quoted field is not closed');
        value += line.slice(i, close);
        i = close + 1;
        if (line[i] !== '"') break;
        value += '"';
        i++;
      }
      fields.push(value);
      if (i < line.length && line[i] !== ',') throw new CsvFormatError(source, lineNumber, 'unexpected text after a closing quote');
    } else {
      const comma = line.indexOf(',', i);
      fields.push(line.slice(i, comma < 0 ? line.length : comma));
      i = comma < 0 ? line.length : comma;
    }
    if (i >= line.length) return fields;
    i++;
  }
}

function quoteIfNeeded(name: string): string {
  return /[",\r\n]/.test(name) || name !== name.trim() ? `"${name.replaceAll('"', '""')}"` : name;
}
