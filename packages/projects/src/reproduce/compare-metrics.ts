/** One metric of a reproduction: final values of both runs, their difference, and whether it is within tolerance. */
export interface MetricComparison {
  key: string;
  /** null when the run has no such metric */
  original: number | null;
  reproduced: number | null;
  /** reproduced − original */
  difference: number | null;
  /** |difference| / max(|original|, |reproduced|); 0 when equal */
  relativeDifference: number | null;
  ok: boolean;
}

function same(a: number, b: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

/**
 * Compares every metric's final value. A metric matches when both runs have it and the values are
 * equal (NaN equals NaN) or differ by at most `tolerance` relative to the larger magnitude; the
 * default tolerance 0 means exactly equal. A metric that only one run has never matches.
 */
export function compareMetrics(original: Record<string, number>, reproduced: Record<string, number>, tolerance = 0): MetricComparison[] {
  const keys = [...new Set([...Object.keys(original), ...Object.keys(reproduced)])].sort();
  return keys.map((key) => {
    const a = key in original ? original[key] : null;
    const b = key in reproduced ? reproduced[key] : null;
    if (a === null || b === null) return { key, original: a, reproduced: b, difference: null, relativeDifference: null, ok: false };
    if (same(a, b)) return { key, original: a, reproduced: b, difference: 0, relativeDifference: 0, ok: true };
    const difference = b - a;
    const scale = Math.max(Math.abs(a), Math.abs(b));
    const relativeDifference = Number.isFinite(difference) && scale > 0 ? Math.abs(difference) / scale : Infinity;
    return { key, original: a, reproduced: b, difference, relativeDifference, ok: relativeDifference <= tolerance };
  });
}

function show(n: number | null): string {
  return n === null ? '—' : String(n);
}

/**
 * The comparison as a text table (what `git-ml reproduce` prints):
 *
 * ```
 * metric  original  reproduced  difference  
 * loss    0.25      0.25        0           ok
 * acc     0.91      0.89        -0.02       differs (2.2%)
 * ```
 */
export function formatMetricComparison(rows: MetricComparison[]): string {
  const table = [['metric', 'original', 'reproduced', 'difference', ''], ...rows.map((r) => [
    r.key,
    show(r.original),
    show(r.reproduced),
    show(r.difference),
    r.ok ? 'ok' : r.original === null || r.reproduced === null ? 'missing' : `differs (${((r.relativeDifference ?? Infinity) * 100).toPrecision(3)}%)`,
  ])];
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  return table.map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd()).join('\n') + '\n';
}
