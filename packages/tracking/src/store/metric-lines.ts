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
  let i = 0;
  while (i < text.length) {
    let nl = text.indexOf('\n', i);
    if (nl < 0) nl = text.length;
    const line = text.slice(i, nl);
    i = nl + 1;
    if (!line) continue;
    const a = line.indexOf(' ');
    const b = line.indexOf(' ', a + 1);
    const timestamp = Number(line.slice(0, a));
    const value = parseMetricValue(line.slice(a + 1, b < 0 ? undefined : b));
    const step = b < 0 ? 0 : Number(line.slice(b + 1));
    if (a < 0 || !Number.isFinite(timestamp) || !Number.isFinite(step)) throw new Error(`bad metric line ${JSON.stringify(line)}`);
    out.push({ key, value, timestamp, step });
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
