/**
 * Short forms of values a client sent, for error messages: a 15 MB string in a numeric column is
 * named by its first characters and its size, never echoed back whole.
 */
const LIMIT = 80;

/** `value` as JSON, cut to about 80 characters plus `…(N bytes)` (strings) or `…(N items)`. */
export function previewValue(value: unknown): string {
  if (typeof value === 'string') return previewString(value);
  const out = { text: '' };
  write(value, out, 0);
  if (out.text.length <= LIMIT) return out.text;
  const size = Array.isArray(value) ? `${value.length} items` : value && typeof value === 'object' ? `${Object.keys(value).length} keys` : `${out.text.length} characters`;
  return `${out.text.slice(0, LIMIT)}…(${size})`;
}

/** A string as JSON, cut to 80 characters plus `…(N bytes)`. */
export function previewString(s: string): string {
  return s.length <= LIMIT ? JSON.stringify(s) : `${JSON.stringify(s.slice(0, LIMIT))}…(${Buffer.byteLength(s)} bytes)`;
}

/** A name (column, field, input) for quoting in a message: as is when short, else cut like a value. */
export function previewName(name: string, limit = LIMIT): string {
  return name.length <= limit ? name : `${name.slice(0, limit)}…(${Buffer.byteLength(name)} bytes)`;
}

// JSON.stringify would copy all of a huge value (and overflow on a deep one): stop past the limit.
function write(v: unknown, out: { text: string }, depth: number): void {
  if (out.text.length > LIMIT) return;
  if (typeof v === 'string') out.text += JSON.stringify(v.length > LIMIT ? v.slice(0, LIMIT + 1) : v);
  else if (Array.isArray(v)) {
    if (depth > 8) {
      out.text += '[…]';
      return;
    }
    out.text += '[';
    for (let i = 0; i < v.length && out.text.length <= LIMIT; i++) {
      if (i) out.text += ',';
      write(v[i], out, depth + 1);
    }
    out.text += ']';
  } else if (v && typeof v === 'object') {
    if (depth > 8) {
      out.text += '{…}';
      return;
    }
    out.text += '{';
    let first = true;
    for (const k in v) {
      if (out.text.length > LIMIT) break;
      out.text += `${first ? '' : ','}${JSON.stringify(k.length > LIMIT ? k.slice(0, LIMIT + 1) : k)}:`;
      first = false;
      write((v as Record<string, unknown>)[k], out, depth + 1);
    }
    out.text += '}';
  } else if (typeof v === 'number' || typeof v === 'boolean' || v === null) out.text += JSON.stringify(v);
  else out.text += String(v);
}
