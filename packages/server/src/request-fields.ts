import { ApiError, invalidParameter } from './errors.js';

const HINT = ' See the API docs for more information about request parameters.';

/** A value as Python's `repr` shows it, so messages read exactly like MLflow's. */
function pyRepr(v: unknown, nested: boolean, lexeme?: string): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'string') return nested ? `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : v;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return lexeme ?? String(v);
  if (Array.isArray(v)) return `[${v.map((x) => pyRepr(x, true)).join(', ')}]`;
  return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `'${k}': ${pyRepr(x, true)}`).join(', ')}}`;
}

function pyType(v: unknown, lexeme?: string): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) && !(lexeme && /[.eE]/.test(lexeme)) ? 'int' : 'float';
  return Array.isArray(v) ? 'list' : 'dict';
}

const INT = /^-?\d+$/;
const SPECIAL: Record<string, number> = { NaN: Number.NaN, nan: Number.NaN, Infinity: Infinity, inf: Infinity, '-Infinity': -Infinity, '-inf': -Infinity };

/**
 * One request's fields — a protobuf-JSON body, or the query string of a GET — read the way MLflow's
 * handlers read them: protobuf's types (int64 may come as a string, doubles as "NaN"/"Infinity"),
 * and MLflow's messages for a missing or mistyped field.
 */
export class Fields {
  constructor(
    readonly body: Record<string, unknown>,
    private readonly raw: string = '',
  ) {}

  has(name: string): boolean {
    const v = this.body[name];
    return v !== undefined && v !== null;
  }

  missing(name: string): ApiError {
    return invalidParameter(`Missing value for required parameter '${name}'.${HINT}`);
  }

  invalid(name: string, value: unknown = this.body[name]): ApiError {
    const lexeme = typeof value === 'number' ? new RegExp(`"${name}"\\s*:\\s*(-?[\\d.]+(?:[eE][+-]?\\d+)?)`).exec(this.raw)?.[1] : undefined;
    return invalidParameter(`Invalid value ${pyRepr(value, false, lexeme)} for parameter '${name}' supplied. Hint: Value was of type '${pyType(value, lexeme)}'.${HINT}`);
  }

  private present(name: string, required: boolean): unknown {
    const v = this.body[name];
    if (v === undefined || v === null || v === '') {
      if (required) throw this.missing(name);
      return undefined;
    }
    return v;
  }

  string(name: string, required = false): string | undefined {
    const v = this.present(name, required);
    if (v === undefined) return typeof this.body[name] === 'string' ? '' : undefined;
    if (typeof v !== 'string') throw this.invalid(name);
    return v;
  }

  /** The run id, also accepted as MLflow's older `run_uuid`. */
  runId(required = true): string {
    if (!this.has('run_id') && this.has('run_uuid')) return this.string('run_uuid', required)!;
    return this.string('run_id', required)!;
  }

  int(name: string, required = false): number | undefined {
    const v = this.present(name, required);
    if (v === undefined) return undefined;
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    if (typeof v === 'string' && INT.test(v.trim())) return Number(v.trim());
    throw this.invalid(name);
  }

  double(name: string, required = false): number | undefined {
    const v = this.present(name, required);
    if (v === undefined) return undefined;
    return toDouble(v) ?? (() => { throw this.invalid(name); })();
  }

  bool(name: string): boolean | undefined {
    const v = this.present(name, false);
    if (v === undefined) return undefined;
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === 'false') return v === 'true';
    throw this.invalid(name);
  }

  array(name: string, required = false): unknown[] | undefined {
    const v = this.body[name];
    if (v === undefined || v === null || (Array.isArray(v) && v.length === 0 && required)) {
      if (required) throw this.missing(name);
      return undefined;
    }
    if (!Array.isArray(v)) throw this.invalid(name);
    return v;
  }

  strings(name: string, required = false): string[] | undefined {
    const v = this.array(name, required);
    if (v && !v.every((x) => typeof x === 'string')) throw this.invalid(name);
    return v as string[] | undefined;
  }

  /** `[{key, value}]` of strings (tags, params); MLflow requires the key. */
  keyValues(name: string): { key: string; value: string }[] {
    const v = this.array(name) ?? [];
    return v.map((e) => {
      if (!e || typeof e !== 'object' || Array.isArray(e)) throw this.invalid(name);
      const { key, value } = e as { key?: unknown; value?: unknown };
      if (key === undefined || key === null || key === '') throw this.invalid(name);
      if (typeof key !== 'string' || (value !== undefined && value !== null && typeof value !== 'string')) throw this.invalid(name);
      return { key, value: (value as string | undefined) ?? '' };
    });
  }
}

/** A protobuf double: a number, a numeric string, or "NaN" / "Infinity" / "-Infinity". */
export function toDouble(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return undefined;
  if (v in SPECIAL) return SPECIAL[v];
  const t = v.trim();
  return t !== '' && Number.isFinite(Number(t)) ? Number(t) : undefined;
}

/** Parses a query string the way MLflow does: repeated keys (and `key[]`, `key[0]`) become lists. */
export function queryFields(url: string, repeated: readonly string[] = []): Record<string, unknown> {
  const q = url.indexOf('?');
  const out: Record<string, unknown> = {};
  if (q < 0) return out;
  for (const [k0, v] of new URLSearchParams(url.slice(q + 1))) {
    const bracket = /^(.*)\[\d*\]$/.exec(k0);
    const k = bracket ? bracket[1] : k0;
    const cur = out[k];
    if (cur === undefined) out[k] = bracket || repeated.includes(k) ? [v] : v;
    else out[k] = Array.isArray(cur) ? [...cur, v] : [cur, v];
  }
  return out;
}
