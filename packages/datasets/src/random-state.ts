import { DatasetArgumentError } from './errors.js';

const N = 624;
const M = 397;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;
const MATRIX_A = 0x9908b0df;

/**
 * A Mersenne Twister that draws the same numbers as numpy's legacy `np.random.RandomState(seed)`:
 * same seeding (`init_genrand`), same 53-bit doubles, same masked rejection sampling for bounded
 * integers, same polar-method gaussians with a cached second value, same Fisher–Yates shuffle.
 * That is what lets `trainTestSplit` and `makeClassification` reproduce scikit-learn's results
 * for a given `random_state`.
 *
 * @example
 * const rng = new RandomState(42);
 * rng.randomSample(); // 0.3745401188473625, like np.random.RandomState(42).random_sample()
 */
export class RandomState {
  private readonly mt = new Uint32Array(N);
  private index = N;
  private cachedGauss: number | null = null;

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new DatasetArgumentError('seed', seed, 'an integer between 0 and 2**32 - 1, like numpy requires');
    }
    this.mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = this.mt[i - 1];
      this.mt[i] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + i) >>> 0;
    }
  }

  /** The next raw 32-bit output, as an unsigned integer. */
  nextUint32(): number {
    if (this.index >= N) this.twist();
    let y = this.mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** A double in [0, 1) built from 53 random bits, like numpy's `random_sample()`. */
  randomSample(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** `low + (high - low) * randomSample()`, like numpy's `uniform(low, high)`. */
  uniform(low = 0, high = 1): number {
    return low + (high - low) * this.randomSample();
  }

  /** A standard normal draw, like numpy's legacy `standard_normal()` (polar method, pairs cached). */
  standardNormal(): number {
    if (this.cachedGauss !== null) {
      const value = this.cachedGauss;
      this.cachedGauss = null;
      return value;
    }
    let x1: number;
    let x2: number;
    let r2: number;
    do {
      x1 = 2 * this.randomSample() - 1;
      x2 = 2 * this.randomSample() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * Math.log(r2)) / r2);
    this.cachedGauss = f * x1;
    return f * x2;
  }

  /**
   * A uniform integer in [0, max], by numpy's masked rejection sampling (`random_interval`,
   * used by `shuffle` and `permutation`). Draws nothing when `max` is 0.
   */
  randomInterval(max: number): number {
    checkRange(max);
    if (max === 0) return 0;
    const mask = smallestMask(max);
    let value: number;
    while ((value = (this.nextUint32() & mask) >>> 0) > max);
    return value;
  }

  /**
   * A uniform integer in [low, high), like legacy `RandomState.randint(low, high)`; with one
   * argument, in [0, low).
   */
  randint(low: number, high?: number): number {
    if (high === undefined) [low, high] = [0, low];
    if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
      throw new DatasetArgumentError('randint bounds', [low, high], 'integers with low < high');
    }
    const range = high - 1 - low;
    checkRange(range);
    if (range === 0) return low;
    if (range === 0xffffffff) return low + this.nextUint32();
    const mask = smallestMask(range);
    let value: number;
    while ((value = (this.nextUint32() & mask) >>> 0) > range);
    return low + value;
  }

  /** Shuffles `items` in place, like legacy `RandomState.shuffle` on a 1-d array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.randomInterval(i);
      const tmp = items[j];
      items[j] = items[i];
      items[i] = tmp;
    }
    return items;
  }

  /** A shuffled `[0, 1, …, n-1]`, like legacy `RandomState.permutation(n)`. */
  permutation(n: number): number[] {
    if (!Number.isInteger(n) || n < 0) throw new DatasetArgumentError('n', n, 'a non-negative integer');
    return this.shuffle(Array.from({ length: n }, (_, i) => i));
  }

  private twist(): void {
    const mt = this.mt;
    for (let k = 0; k < N; k++) {
      const y = (mt[k] & UPPER_MASK) | (mt[(k + 1) % N] & LOWER_MASK);
      mt[k] = mt[(k + M) % N] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    this.index = 0;
  }
}

function smallestMask(max: number): number {
  let mask = max;
  mask |= mask >>> 1;
  mask |= mask >>> 2;
  mask |= mask >>> 4;
  mask |= mask >>> 8;
  mask |= mask >>> 16;
  return mask >>> 0;
}

function checkRange(range: number): void {
  if (!Number.isInteger(range) || range < 0 || range > 0xffffffff) {
    throw new DatasetArgumentError('range', range, 'an integer range below 2**32 (larger ranges are not supported)');
  }
}
