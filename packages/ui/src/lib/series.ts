/**
 * Display transforms for metric series: x axis choice, smoothing and downsampling. They only shape
 * what is drawn; the data fetched from the server is kept whole, so zooming in shows every point.
 */

export type XAxis = 'step' | 'time' | 'relative';

export interface XY {
  x: Float64Array;
  y: Float64Array;
}

/** A run's history as (x, y), sorted by x, for the chosen x axis (time in seconds, as uPlot wants). */
export function toXY(step: Float64Array, timestamp: Float64Array, value: Float64Array, axis: XAxis): XY {
  const n = value.length;
  let t0 = Infinity;
  for (let i = 0; i < n; i++) if (timestamp[i] < t0) t0 = timestamp[i];
  const xs = axis === 'step' ? step : axis === 'time' ? timestamp.map((t) => t / 1000) : timestamp.map((t) => (t - t0) / 1000);
  let sorted = true;
  for (let i = 1; i < n; i++) if (xs[i] < xs[i - 1]) { sorted = false; break; }
  const order = sorted ? null : [...xs.keys()].sort((a, b) => xs[a] - xs[b] || a - b);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const j = order ? order[i] : i;
    x[i] = xs[j];
    y[i] = value[j];
  }
  return { x, y };
}

/**
 * Exponential moving average with bias correction (as TensorBoard's smoothing slider): `weight` 0
 * is the raw series, 0.99 very smooth. Non-finite values pass through and do not poison the average.
 */
export function smooth(y: Float64Array, weight: number): Float64Array {
  if (weight <= 0) return y;
  const out = new Float64Array(y.length);
  let last = 0;
  let debias = 0;
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (!Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    last = last * weight + (1 - weight) * v;
    debias = debias * weight + (1 - weight);
    out[i] = last / debias;
  }
  return out;
}

function lowerBound(x: Float64Array, v: number): number {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The points of `s` inside [from, to] (plus one neighbour each side, so lines reach the edges),
 * thinned to about `buckets` × 4 points: each bucket keeps its first, lowest, highest and last point,
 * so spikes and drops stay visible however far out the view is.
 */
export function downsample(s: XY, from: number, to: number, buckets: number): XY {
  const a = Math.max(0, lowerBound(s.x, from) - 1);
  const b = Math.min(s.x.length, lowerBound(s.x, to) + 1 + (s.x[lowerBound(s.x, to)] === to ? 1 : 0));
  const n = b - a;
  if (n <= buckets * 4) return { x: s.x.subarray(a, b), y: s.y.subarray(a, b) };
  const xs: number[] = [];
  const ys: number[] = [];
  for (let k = 0; k < buckets; k++) {
    const i0 = a + Math.floor((k * n) / buckets);
    const i1 = a + Math.floor(((k + 1) * n) / buckets);
    if (i0 >= i1) continue;
    let lo = i0;
    let hi = i0;
    for (let i = i0 + 1; i < i1; i++) {
      if (s.y[i] < s.y[lo]) lo = i;
      if (s.y[i] > s.y[hi]) hi = i;
    }
    const picks = [i0, lo, hi, i1 - 1].sort((p, q) => p - q);
    let prev = -1;
    for (const i of picks) {
      if (i === prev) continue;
      prev = i;
      xs.push(s.x[i]);
      ys.push(s.y[i]);
    }
  }
  return { x: Float64Array.from(xs), y: Float64Array.from(ys) };
}

/**
 * Several series on one x array, as uPlot wants: the union of their x values, with null where a
 * series has no point (lines span the gaps).
 */
export function align(series: XY[]): [number[], ...(number | null)[][]] {
  const all = new Float64Array(series.reduce((n, s) => n + s.x.length, 0));
  let at = 0;
  for (const s of series) {
    all.set(s.x, at);
    at += s.x.length;
  }
  all.sort();
  const xs: number[] = [];
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[i - 1]) xs.push(all[i]);
  const out: (number | null)[][] = series.map(() => new Array(xs.length).fill(null));
  series.forEach((s, k) => {
    let j = 0;
    for (let i = 0; i < s.x.length; i++) {
      while (xs[j] < s.x[i]) j++;
      const v = s.y[i];
      out[k][j] = Number.isFinite(v) ? v : null;
    }
  });
  return [xs, ...out];
}
