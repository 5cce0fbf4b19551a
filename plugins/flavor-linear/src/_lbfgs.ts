/** Evaluates the objective at `x`, writes its gradient into `grad`, and returns its value. */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  maxIter: number;
  /** Stop when the largest gradient component is at most this (scipy's `pgtol`, scikit-learn's `tol`). */
  gtol: number;
  /** Stop when the relative decrease of the objective is at most this. */
  ftol: number;
  memory?: number;
  onIteration?: (x: Float64Array, f: number) => void;
}

export interface LbfgsResult {
  x: Float64Array;
  f: number;
  iterations: number;
  converged: boolean;
}

interface Point {
  a: number;
  f: number;
  d: number;
  x: Float64Array;
  g: Float64Array;
}

const C1 = 1e-4;
const C2 = 0.9;
const MAX_LINE_SEARCH = 50;

/** Minimizes a smooth function with limited-memory BFGS and a strong-Wolfe line search. */
export function minimizeLbfgs(fg: Objective, x0: Float64Array, options: LbfgsOptions): LbfgsResult {
  const m = options.memory ?? 10;
  let x: Float64Array = Float64Array.from(x0);
  let g: Float64Array = new Float64Array(x.length);
  let f = fg(x, g);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  if (maxAbs(g) <= options.gtol) return { x, f, iterations: 0, converged: true };

  for (let iter = 1; iter <= options.maxIter; iter++) {
    let d = direction(g, S, Y);
    let slope = dot(g, d);
    if (!(slope < 0)) {
      S.length = Y.length = 0;
      d = g.map((v) => -v);
      slope = -dot(g, g);
    }
    const first = S.length === 0 ? Math.min(1, 1 / Math.sqrt(dot(g, g))) : 1;
    const next = lineSearch(fg, { a: 0, f, d: slope, x, g }, d, first);
    if (next === null) return { x, f, iterations: iter - 1, converged: false };

    const s = next.x.map((v, i) => v - x[i]);
    const y = next.g.map((v, i) => v - g[i]);
    if (dot(s, y) > 1e-12 * dot(y, y)) {
      S.push(s);
      Y.push(y);
      if (S.length > m) {
        S.shift();
        Y.shift();
      }
    }
    const previous = f;
    ({ x, f, g } = next);
    options.onIteration?.(x, f);
    if (maxAbs(g) <= options.gtol) return { x, f, iterations: iter, converged: true };
    if ((previous - f) / Math.max(Math.abs(previous), Math.abs(f), 1) <= options.ftol) {
      return { x, f, iterations: iter, converged: true };
    }
  }
  return { x, f, iterations: options.maxIter, converged: false };
}

/** The two-loop recursion: `-H g` for the inverse-Hessian estimate built from the stored pairs. */
function direction(g: Float64Array, S: Float64Array[], Y: Float64Array[]): Float64Array {
  const q = g.map((v) => -v);
  const alpha = new Float64Array(S.length);
  for (let k = S.length - 1; k >= 0; k--) {
    alpha[k] = dot(S[k], q) / dot(Y[k], S[k]);
    axpy(-alpha[k], Y[k], q);
  }
  if (S.length > 0) {
    const last = S.length - 1;
    const gamma = dot(S[last], Y[last]) / dot(Y[last], Y[last]);
    for (let i = 0; i < q.length; i++) q[i] *= gamma;
  }
  for (let k = 0; k < S.length; k++) {
    const beta = dot(Y[k], q) / dot(Y[k], S[k]);
    axpy(alpha[k] - beta, S[k], q);
  }
  return q;
}

/** Nocedal & Wright's algorithm 3.5/3.6: a step satisfying the strong Wolfe conditions, or null. */
function lineSearch(fg: Objective, start: Point, d: Float64Array, first: number): Point | null {
  const evaluate = (a: number): Point => {
    const x = start.x.map((v, i) => v + a * d[i]);
    const g = new Float64Array(x.length);
    const f = fg(x, g);
    return { a, f, d: dot(g, d), x, g };
  };
  const sufficient = (p: Point) => p.f <= start.f + C1 * p.a * start.d;
  const curvature = (p: Point) => Math.abs(p.d) <= -C2 * start.d;

  const zoom = (lo: Point, hi: Point): Point | null => {
    for (let j = 0; j < MAX_LINE_SEARCH; j++) {
      const p = evaluate(interpolate(lo, hi));
      if (!sufficient(p) || p.f >= lo.f) hi = p;
      else {
        if (curvature(p)) return p;
        if (p.d * (hi.a - lo.a) >= 0) hi = lo;
        lo = p;
      }
      if (Math.abs(hi.a - lo.a) < 1e-16 * Math.max(1, lo.a)) break;
    }
    return lo.a > 0 && lo.f < start.f ? lo : null;
  };

  let previous = start;
  let a = first;
  for (let i = 0; i < MAX_LINE_SEARCH; i++) {
    const p = evaluate(a);
    if (!Number.isFinite(p.f)) {
      a = (previous.a + a) / 2;
      continue;
    }
    if (!sufficient(p) || (i > 0 && p.f >= previous.f)) return zoom(previous, p);
    if (curvature(p)) return p;
    if (p.d >= 0) return zoom(p, previous);
    previous = p;
    a *= 2;
  }
  return previous.a > 0 ? previous : null;
}

/** The minimizer of the cubic through both ends, kept away from the ends; bisection as a fallback. */
function interpolate(lo: Point, hi: Point): number {
  const d1 = lo.d + hi.d - (3 * (lo.f - hi.f)) / (lo.a - hi.a);
  const disc = d1 * d1 - lo.d * hi.d;
  const low = Math.min(lo.a, hi.a);
  const width = Math.abs(hi.a - lo.a);
  if (disc >= 0) {
    const d2 = Math.sign(hi.a - lo.a) * Math.sqrt(disc);
    const a = hi.a - ((hi.a - lo.a) * (hi.d + d2 - d1)) / (hi.d - lo.d + 2 * d2);
    if (Number.isFinite(a) && a > low + 0.1 * width && a < low + 0.9 * width) return a;
  }
  return (lo.a + hi.a) / 2;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function axpy(alpha: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i] += alpha * x[i];
}

function maxAbs(v: Float64Array): number {
  let m = 0;
  for (const x of v) m = Math.max(m, Math.abs(x));
  return m;
}
