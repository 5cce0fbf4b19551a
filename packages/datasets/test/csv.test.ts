/** Numeric CSV files on disk: round trips, target columns, and errors that name file, line and column. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ColumnNotFoundError, CsvFormatError, joinTarget, parseCsv, readCsv, splitTarget, writeCsv } from '@git-ml/datasets';

const dir = mkdtempSync(join(tmpdir(), 'git-ml-datasets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function failure(promise: Promise<unknown>): Promise<CsvFormatError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(CsvFormatError);
  return error as CsvFormatError;
}

describe('readCsv / writeCsv', () => {
  it('writes numbers that read back bit for bit, with the target split out by name', async () => {
    const table = { columns: ['a', 'b', 'target'], rows: [[0.1 + 0.2, -1e-300, 1], [Math.PI, 12345678.9, 0]] };
    const path = join(dir, 'round-trip.csv');
    await writeCsv(path, table);
    expect(readFileSync(path, 'utf8').split('\n')[0]).toBe('a,b,target');
    const back = await readCsv(path);
    expect(back).toEqual(table);
    const { features, X, y } = splitTarget(back, 'target');
    expect(features).toEqual(['a', 'b']);
    expect(X).toEqual([[0.1 + 0.2, -1e-300], [Math.PI, 12345678.9]]);
    expect(y).toEqual([1, 0]);
    expect(joinTarget({ features, X, y })).toEqual(table);
  });

  it('accepts CRLF line ends, a trailing blank line and quoted header names', () => {
    const table = parseCsv('"x, in m",y\r\n1,2\r\n3,4\r\n\r\n');
    expect(table).toEqual({ columns: ['x, in m', 'y'], rows: [[1, 2], [3, 4]] });
  });

  it('names the file, line and column of a value that is not a number', async () => {
    const path = file('bad-value.csv', 'a,b,target\n1,2,0\n3,oops,1\n');
    const error = await failure(readCsv(path));
    expect(error.message).toContain(`${path}:3 (column b)`);
    expect(error.message).toContain('"oops" is not a finite number');
    expect(error.data).toMatchObject({ file: path, line: 3, column: 'b' });
  });

  it('names the line of a row with the wrong number of values, and of an empty value', async () => {
    const short = file('short.csv', 'a,b\n1,2\n3\n');
    expect((await failure(readCsv(short))).message).toBe(`${short}:3: expected 2 values (one per header column), found 1`);
    const empty = file('empty-cell.csv', 'a,b\n1,\n');
    expect((await failure(readCsv(empty))).message).toContain(`${empty}:2 (column b)`);
  });

  it('rejects an empty file, duplicate column names and unreadable paths', async () => {
    expect((await failure(readCsv(file('empty.csv', '')))).message).toMatch(/empty\.csv:1: the file is empty/);
    expect((await failure(readCsv(file('dup.csv', 'a,a\n1,2\n')))).message).toMatch(/"a" appears twice/);
    await expect(readCsv(join(dir, 'missing.csv'))).rejects.toThrow(/Could not read the CSV file .*missing\.csv/);
  });

  it('says which columns exist when the target column is missing', () => {
    const error = (() => {
      try {
        splitTarget(parseCsv('f0,f1,label\n1,2,0\n'), 'target');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ColumnNotFoundError);
    expect((error as Error).message).toContain('Its columns are: f0, f1, label');
  });
});
