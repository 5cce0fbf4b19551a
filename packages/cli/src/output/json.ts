/**
 * JSON for `--json`: two-space indented, and since JSON has no NaN or Infinity, such numbers are
 * written as the strings "NaN", "Infinity" and "-Infinity" (what MLflow's REST API does too).
 */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? (Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity') : v), 2)}\n`;
}
