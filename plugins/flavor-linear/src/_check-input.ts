import { InvalidInputError } from './errors.js';

/**
 * Checks that `rows` is a non-empty table of finite numbers, all `width` wide when given; returns
 * the width. Errors name the row and column that are wrong.
 */
export function checkRows(rows: readonly (readonly number[])[], width?: number, what = 'X'): number {
  if (!Array.isArray(rows) || rows.length === 0) {
    throw new InvalidInputError(`${what} must be a non-empty array of rows (number[][]).`, { what });
  }
  const expected = width ?? (Array.isArray(rows[0]) ? rows[0].length : 0);
  rows.forEach((row, i) => {
    if (!Array.isArray(row)) throw new InvalidInputError(`${what}[${i}] is not an array of numbers.`, { what, row: i });
    if (row.length !== expected) {
      throw new InvalidInputError(`${what}[${i}] has ${row.length} values; expected ${expected} (one per feature).`, { what, row: i, width: row.length, expected });
    }
    for (let j = 0; j < row.length; j++) {
      if (typeof row[j] !== 'number' || !Number.isFinite(row[j])) {
        throw new InvalidInputError(`${what}[${i}][${j}] is ${String(row[j])}; every feature must be a finite number.`, { what, row: i, column: j });
      }
    }
  });
  if (expected === 0) throw new InvalidInputError(`${what} has no feature columns.`, { what });
  return expected;
}

/** Checks that `y` holds `n` finite numbers. */
export function checkTargets(y: readonly number[], n: number, what = 'y'): void {
  if (!Array.isArray(y) || y.length !== n) {
    throw new InvalidInputError(`${what} must hold one target per row of X: expected ${n}, got ${Array.isArray(y) ? y.length : typeof y}.`, { what, expected: n });
  }
  y.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new InvalidInputError(`${what}[${i}] is ${String(v)}; targets must be finite numbers.`, { what, row: i });
    }
  });
}
