import { DatasetArgumentError } from './errors.js';
import { RandomState } from './random-state.js';

export interface TrainTestSplitOptions {
  /** A fraction in (0, 1) or an absolute number of test rows. Default 0.25, like scikit-learn. */
  testSize?: number;
  /** A fraction in (0, 1) or an absolute number of training rows. Default: all rows not in the test set. */
  trainSize?: number;
  /** The seed (scikit-learn's `random_state`). Default 0. */
  randomState?: number;
  /** Shuffle before splitting. When false, the first rows train and the last rows test. Default true. */
  shuffle?: boolean;
}

/** Row indices of a split: `train` and `test` never share a row. */
export interface TrainTestIndices {
  train: number[];
  test: number[];
}

/**
 * Splits `n` rows into train and test indices exactly as scikit-learn's
 * `train_test_split(…, test_size, random_state)` does: the same permutation from numpy's legacy
 * `RandomState(randomState)`, the first `ceil(testSize * n)` rows for testing, the next
 * `n - nTest` for training.
 *
 * @example
 * const { train, test } = trainTestSplit(1000, { testSize: 0.2, randomState: 42 });
 * const xTest = selectRows(X, test);
 */
export function trainTestSplit(n: number, options: TrainTestSplitOptions = {}): TrainTestIndices {
  if (!Number.isInteger(n) || n < 2) throw new DatasetArgumentError('n', n, 'an integer number of rows ≥ 2');
  const { nTrain, nTest } = splitSizes(n, options.testSize, options.trainSize);
  if (options.shuffle === false) {
    return { train: range(0, nTrain), test: range(n - nTest, n) };
  }
  const permutation = new RandomState(options.randomState ?? 0).permutation(n);
  return { test: permutation.slice(0, nTest), train: permutation.slice(nTest, nTest + nTrain) };
}

/** The rows of `rows` at `indices`, in that order. */
export function selectRows<T>(rows: readonly T[], indices: readonly number[]): T[] {
  return indices.map((i) => {
    if (i < 0 || i >= rows.length) throw new DatasetArgumentError('row index', i, `an index below ${rows.length}`);
    return rows[i];
  });
}

function splitSizes(n: number, testSize: number | undefined, trainSize: number | undefined): { nTrain: number; nTest: number } {
  const test = testSize === undefined && trainSize === undefined ? 0.25 : testSize;
  let nTest = test === undefined ? undefined : count(n, test, 'testSize', Math.ceil);
  let nTrain = trainSize === undefined ? undefined : count(n, trainSize, 'trainSize', Math.floor);
  if (nTest === undefined) nTest = n - nTrain!;
  if (nTrain === undefined) nTrain = n - nTest;
  if (nTrain + nTest > n) {
    throw new DatasetArgumentError('trainSize + testSize', nTrain + nTest, `at most the ${n} rows available`);
  }
  if (nTrain === 0 || nTest === 0) {
    throw new DatasetArgumentError('split sizes', { nTrain, nTest }, 'at least one training row and one test row');
  }
  return { nTrain, nTest };
}

function count(n: number, size: number, field: string, round: (x: number) => number): number {
  if (Number.isInteger(size) && size >= 1) {
    if (size >= n) throw new DatasetArgumentError(field, size, `fewer than the ${n} rows available`);
    return size;
  }
  if (!(size > 0 && size < 1)) throw new DatasetArgumentError(field, size, 'a fraction in (0, 1) or a positive integer');
  return round(size * n);
}

function range(start: number, end: number): number[] {
  return Array.from({ length: end - start }, (_, i) => start + i);
}
