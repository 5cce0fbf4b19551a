/** trainTestSplit's sizes and options, which follow scikit-learn's ShuffleSplit rules. */
import { describe, expect, it } from 'vitest';
import { DatasetArgumentError, selectRows, trainTestSplit } from '@git-ml/datasets';

describe('trainTestSplit', () => {
  it('rounds the test size up and gives the rest to training, like scikit-learn', () => {
    const { train, test } = trainTestSplit(11, { testSize: 0.25, randomState: 0 });
    expect(test).toHaveLength(3);
    expect(train).toHaveLength(8);
    expect([...train, ...test].sort((a, b) => a - b)).toEqual(Array.from({ length: 11 }, (_, i) => i));
  });

  it('defaults to a 25% test set and seed 0, and is reproducible', () => {
    expect(trainTestSplit(8)).toEqual(trainTestSplit(8, { testSize: 0.25, randomState: 0 }));
    expect(trainTestSplit(8).test).toHaveLength(2);
  });

  it('honours absolute sizes, a smaller trainSize, and shuffle: false', () => {
    const { train, test } = trainTestSplit(10, { testSize: 3, trainSize: 5, randomState: 1 });
    expect([train.length, test.length]).toEqual([5, 3]);
    expect(trainTestSplit(5, { testSize: 2, shuffle: false })).toEqual({ train: [0, 1, 2], test: [3, 4] });
  });

  it('rejects sizes that leave nothing to train or test on', () => {
    expect(() => trainTestSplit(10, { testSize: 1.5 })).toThrow(DatasetArgumentError);
    expect(() => trainTestSplit(10, { testSize: 10 })).toThrow(/testSize/);
    expect(() => trainTestSplit(10, { testSize: 0.5, trainSize: 0.8 })).toThrow(/at most the 10 rows/);
    expect(() => selectRows([1, 2], [2])).toThrow(/row index/);
  });
});
