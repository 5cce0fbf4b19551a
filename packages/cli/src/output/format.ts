const two = (n: number) => String(n).padStart(2, '0');

/** Local time as `YYYY-MM-DD HH:MM:SS` (or `…HH:MM` with `seconds: false`); '-' when unknown. */
export function formatTime(ms: number | null | undefined, options: { seconds?: boolean } = {}): string {
  if (!ms) return '-';
  const d = new Date(ms);
  const date = `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
  const time = `${two(d.getHours())}:${two(d.getMinutes())}`;
  return options.seconds === false ? `${date} ${time}` : `${date} ${time}:${two(d.getSeconds())}`;
}

/** A duration for people: 0.4s, 12.3s, 3m 04s, 2h 05m, 3d 04h. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(2) : s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${two(Math.floor(s % 60))}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${two(m % 60)}m`;
  return `${Math.floor(h / 24)}d ${two(h % 24)}h`;
}

/** How long a run took, or has been running so far. */
export function runDuration(info: { start_time: number; end_time: number | null }, now = Date.now()): string {
  return formatDuration((info.end_time ?? now) - info.start_time);
}

/** A metric value, short: integers as they are, others to 6 significant digits; nan, inf, -inf. */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(6)));
}

/** A signed difference b - a, or '' when it says nothing (equal, or not both finite). */
export function formatDelta(a: number, b: number): string {
  if (!Number.isFinite(a) || !Number.isFinite(b) || a === b) return '';
  const d = b - a;
  return d > 0 ? `+${formatNumber(d)}` : formatNumber(d);
}

/** A size in bytes for people (1024-based, like git). */
export function formatBytes(n: number | null): string {
  if (n === null) return '';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}
