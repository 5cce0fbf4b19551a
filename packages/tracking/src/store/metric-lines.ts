import type { Metric } from '../model.js';

/** Metric values as MLflow's FileStore writes them (Python's float repr for the special values). */
export function formatMetricValue(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return String(v);
}

export function parseMetricValue(s: string): number {
  switch (s.toLowerCase()) {
    case 'nan':
      return Number.NaN;
    case 'inf':
    case 'infinity':
    case '+inf':
      return Infinity;
    case '-inf':
    case '-infinity':
      return -Infinity;
    default:
      return Number(s);
  }
}

/** One history line of `metrics/<key>`: `<timestamp> <value> <step>`, MLflow FileStore's layout. */
export function formatMetricLine(p: { value: number; timestamp: number; step: number }): string {
  return `${p.timestamp} ${formatMetricValue(p.value)} ${p.step}\n`;
}

/** A whole number written in decimal starting at `i` (optional '-'), or NaN; `end` is where it stops. */
function readInt(text: string, i: number, stop: number): { n: number; end: number } {
  let j = i;
  const neg = text.charCodeAt(j) === 45;
  if (neg) j++;
  let n = 0;
  let c = 0;
  const from = j;
  while (j < stop && (c = text.charCodeAt(j)) >= 48 && c <= 57) {
    n = n * 10 + (c - 48);
    j++;
  }
  // 16+ digits may not be exact by this sum: let Number() read those (and anything unusual)
  if (j === from || j - from > 15 || (j < stop && c !== 32)) return { n: Number.NaN, end: j };
  return { n: neg ? -n : n, end: j };
}

/**
 * Reads every `<timestamp> <value> [<step>]` line of `text`, in order, handing each point to
 * `onPoint`; throws on a line that does not parse.
 */
export function scanMetricLines(text: string, onPoint: (timestamp: number, value: number, step: number) => void): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    let nl = text.indexOf('\n', i);
    if (nl < 0) nl = n;
    if (nl > i) {
      const a = text.indexOf(' ', i);
      if (a <= i || a >= nl) throw new Error(`bad metric line ${JSON.stringify(text.slice(i, nl))}`);
      let b = text.indexOf(' ', a + 1);
      if (b >= nl) b = -1;
      // integers (timestamp, step) are read from the characters; only the value goes through Number()
      let timestamp = readInt(text, i, a).n;
      if (Number.isNaN(timestamp)) timestamp = Number(text.slice(i, a));
      const raw = text.slice(a + 1, b < 0 ? nl : b);
      let value = Number(raw);
      // Number() reads every finite value; only nan/inf spellings take the slow path
      if (Number.isNaN(value) || raw === '') value = parseMetricValue(raw);
      let step = 0;
      if (b >= 0) {
        step = readInt(text, b + 1, nl).n;
        if (Number.isNaN(step)) step = Number(text.slice(b + 1, nl));
      }
      if (!Number.isFinite(timestamp) || !Number.isFinite(step) || (Number.isNaN(value) && raw.toLowerCase() !== 'nan')) {
        throw new Error(`bad metric line ${JSON.stringify(text.slice(i, nl))}`);
      }
      onPoint(timestamp, value, step);
    }
    i = nl + 1;
  }
}

export function parseMetricLines(key: string, text: string): Metric[] {
  const out: Metric[] = [];
  scanMetricLines(text, (timestamp, value, step) => out.push({ key, value, timestamp, step }));
  return out;
}

/** A metric history as three columns of numbers: no object per point. */
export interface MetricColumns {
  step: Float64Array;
  timestamp: Float64Array;
  value: Float64Array;
}

/** The points of `text` as columns. */
export function parseMetricColumns(text: string): MetricColumns {
  // a line is at least 6 characters ("1 0 0\n"), so this many points at most
  let cap = 16;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) cap++;
  const step = new Float64Array(cap);
  const timestamp = new Float64Array(cap);
  const value = new Float64Array(cap);
  let n = 0;
  scanMetricLines(text, (t, v, s) => {
    timestamp[n] = t;
    value[n] = v;
    step[n] = s;
    n++;
  });
  return { step: step.subarray(0, n), timestamp: timestamp.subarray(0, n), value: value.subarray(0, n) };
}

/** MLflow's "latest": greatest step, then greatest timestamp, then the later-logged point. */
export function isNewer(a: { step: number; timestamp: number }, b: { step: number; timestamp: number }): boolean {
  return a.step > b.step || (a.step === b.step && a.timestamp >= b.timestamp);
}

export function latestOf(points: Metric[]): Metric | undefined {
  let best: Metric | undefined;
  for (const p of points) if (!best || isNewer(p, best)) best = p;
  return best;
}

/** Tree entry names for metric keys: '/' and '%' escaped so `a` and `a/b` can both exist. */
export function metricFileName(key: string): string {
  return key.replace(/%/g, '%25').replace(/\//g, '%2F').replace(/^\./, '%2E');
}

export function metricKeyFromFileName(name: string): string {
  return decodeURIComponent(name);
}
