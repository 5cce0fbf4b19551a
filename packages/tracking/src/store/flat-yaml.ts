import YAML from 'yaml';

const SAFE_KEY = /^[A-Za-z_][\w./-]*$/;
const LINE = /^( {0,2})("(?:[^"\\]|\\.)*"|[^\s":#][^:]*?): ?(.*)$/;

function key(k: string): string {
  return SAFE_KEY.test(k) && !/^(true|false|null|yes|no|on|off|y|n|~)$/i.test(k) ? k : JSON.stringify(k);
}

/**
 * Writes a mapping as YAML with one fact per line (`key: "value"`), so `git diff` of two records is
 * line-by-line readable. Values are JSON literals, which are valid YAML; one level of nesting.
 */
export function formatFlatYaml(obj: Record<string, unknown>): string {
  let out = '';
  for (const [k, v] of Object.entries(obj)) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      out += `${key(k)}:\n`;
      for (const [k2, v2] of Object.entries(v)) out += `  ${key(k2)}: ${JSON.stringify(v2 ?? null)}\n`;
    } else out += `${key(k)}: ${JSON.stringify(v ?? null)}\n`;
  }
  return out === '' ? '{}\n' : out;
}

function scalar(raw: string): unknown {
  if (raw === '') return null;
  if (raw[0] === '"' || raw === 'true' || raw === 'false' || raw === 'null' || /^-?\d/.test(raw)) return JSON.parse(raw);
  return raw;
}

/**
 * Reads what `formatFlatYaml` wrote without a full YAML parser (fast: run records are read by the
 * thousand), and falls back to a real YAML parser for anything else — hand-edited files included.
 * With `strings`, every scalar comes back as a string (YAML's failsafe schema), as params and tags are.
 */
export function parseFlatYaml(text: string, strings = false): Record<string, unknown> {
  try {
    return fastParse(text, strings);
  } catch {
    const doc = YAML.parse(text, strings ? { schema: 'failsafe' } : {});
    if (doc === null || doc === undefined) return {};
    if (typeof doc !== 'object' || Array.isArray(doc)) throw new Error('expected a mapping of keys to values');
    return doc as Record<string, unknown>;
  }
}

function fastParse(text: string, strings: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (text.trim() === '{}') return out;
  let nested: Record<string, unknown> | null = null;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const m = LINE.exec(line);
    if (!m) throw new Error('not flat');
    const k = m[2][0] === '"' ? (JSON.parse(m[2]) as string) : m[2];
    if (m[1] === '  ') {
      if (!nested) throw new Error('not flat');
      nested[k] = scalar(m[3]);
      continue;
    }
    if (m[1] !== '') throw new Error('not flat');
    if (m[3] === '' && !strings) {
      nested = {};
      out[k] = nested;
      continue;
    }
    nested = null;
    const v = scalar(m[3]);
    out[k] = strings ? (v === null ? '' : typeof v === 'string' ? v : String(v)) : v;
  }
  return out;
}
