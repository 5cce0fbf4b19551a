/**
 * RandomState draws what numpy's legacy `np.random.RandomState(seed)` draws. The expected values
 * were printed by numpy 2.4 (`RandomState(2024)`: random_sample ×4, standard_normal ×5,
 * randint(3, 1000) ×6, permutation(12), random_sample, randint(0, 2**32) ×2, randint(0, 2**31+5) ×2).
 */
import { describe, expect, it } from 'vitest';
import { DatasetArgumentError, RandomState } from '@git-ml/datasets';

describe('RandomState', () => {
  it('reproduces numpy RandomState(2024) draw for draw across every method, in sequence', () => {
    const rng = new RandomState(2024);
    expect([1, 2, 3, 4].map(() => rng.randomSample())).toEqual([
      0.5880145188953979, 0.6991087476815825, 0.18815196003850598, 0.043808563746864815,
    ]);
    const normals = [1, 2, 3, 4, 5].map(() => rng.standardNormal());
    // V8's Math.log may differ from the C library's by one ulp, so gaussians match to ~1e-15.
    [-0.2015377573716711, -0.1509119474905124, 0.9160518074370021, 1.1603296370270422, -2.6199619982819256].forEach((v, i) =>
      expect(normals[i]).toBeCloseTo(v, 14),
    );
    expect([1, 2, 3, 4, 5, 6].map(() => rng.randint(3, 1000))).toEqual([370, 250, 205, 625, 354, 370]);
    expect(rng.permutation(12)).toEqual([3, 0, 9, 5, 4, 8, 1, 10, 2, 6, 7, 11]);
    expect(rng.randomSample()).toBe(0.37676543068544677);
    expect([rng.randint(0, 2 ** 32), rng.randint(0, 2 ** 32)]).toEqual([3519144567, 4127075909]);
    expect([rng.randint(0, 2 ** 31 + 5), rng.randint(0, 2 ** 31 + 5)]).toEqual([1787017885, 1081332285]);
  });

  it('starts like numpy for seed 42 and seed 0', () => {
    expect(new RandomState(42).randomSample()).toBe(0.3745401188473625);
    expect(new RandomState(42).permutation(10)).toEqual([8, 1, 5, 0, 7, 2, 9, 4, 3, 6]);
    const rng = new RandomState(0);
    expect([rng.standardNormal(), rng.standardNormal()].map((v) => v.toFixed(12))).toEqual(['1.764052345968', '0.400157208367']);
  });

  it('draws nothing for a one-value range, like numpy', () => {
    const a = new RandomState(7);
    const b = new RandomState(7);
    expect(a.randint(5, 6)).toBe(5);
    expect(a.randomInterval(0)).toBe(0);
    expect(a.nextUint32()).toBe(b.nextUint32());
  });

  it('rejects seeds numpy rejects', () => {
    expect(() => new RandomState(-1)).toThrow(DatasetArgumentError);
    expect(() => new RandomState(2 ** 32)).toThrow(/between 0 and 2\*\*32 - 1/);
    expect(() => new RandomState(1.5)).toThrow(DatasetArgumentError);
  });
});
