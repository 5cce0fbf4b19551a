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

export function parseMetricLines(key: string, text: string): Metric[] {
  const out: Metric[] = [];
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
      const timestamp = Number(text.slice(i, a));
      const raw = text.slice(a + 1, b < 0 ? nl : b);
      let value = Number(raw);
      // Number() reads every finite value; only nan/inf spellings take the slow path
      if (Number.isNaN(value) || raw === '') value = parseMetricValue(raw);
      const step = b < 0 ? 0 : Number(text.slice(b + 1, nl));
      if (!Number.isFinite(timestamp) || !Number.isFinite(step) || (Number.isNaN(value) && raw.toLowerCase() !== 'nan')) {
        throw new Error(`bad metric line ${JSON.stringify(text.slice(i, nl))}`);
      }
      out.push({ key, value, timestamp, step });
    }
    i = nl + 1;
  }
  return out;
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
