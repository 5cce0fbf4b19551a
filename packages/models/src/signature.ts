import { BadInputError, ModelFormatError } from './errors.js';
import type { MLmodel } from './mlmodel.js';

export const COLUMN_TYPES = ['boolean', 'integer', 'long', 'float', 'double', 'string', 'binary', 'datetime'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

export interface ColSpec {
  type: ColumnType;
  name?: string;
  required?: boolean;
}

export interface TensorSpec {
  type: 'tensor';
  'tensor-spec': { dtype: string; shape: number[] };
  name?: string;
}

export type Spec = ColSpec | TensorSpec;

/** A model signature the MLflow way: column-based or tensor-based inputs and outputs. */
export interface Signature {
  inputs: Spec[];
  outputs?: Spec[];
  params?: { name: string; type: string; default: unknown; shape?: number[] | null }[];
}

export const isTensorSpec = (s: Spec): s is TensorSpec => s.type === 'tensor';

/** `signature:` of an MLmodel holds JSON strings; this parses them (null when the model has none). */
export function readSignature(m: MLmodel): Signature | null {
  const s = m.signature;
  if (!s?.inputs) return null;
  const parse = (field: string, text: string | null | undefined) => {
    if (!text) return undefined;
    try {
      return JSON.parse(text);
    } catch {
      throw new ModelFormatError(`MLmodel signature.${field} is not valid JSON.`, { field: `signature.${field}` });
    }
  };
  return { inputs: parse('inputs', s.inputs), outputs: parse('outputs', s.outputs), params: parse('params', s.params) };
}

export function signatureToMLmodel(sig: Signature): NonNullable<MLmodel['signature']> {
  return {
    inputs: JSON.stringify(sig.inputs),
    outputs: sig.outputs ? JSON.stringify(sig.outputs) : null,
    params: sig.params ? JSON.stringify(sig.params) : null,
  };
}

function typeOf(values: unknown[]): ColumnType {
  let t: ColumnType | null = null;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    const here: ColumnType =
      typeof v === 'boolean' ? 'boolean' : typeof v === 'number' ? (Number.isInteger(v) ? 'long' : 'double') : typeof v === 'bigint' ? 'long' : v instanceof Date ? 'datetime' : Buffer.isBuffer(v) ? 'binary' : 'string';
    if (t === null) t = here;
    else if (t !== here) t = t === 'long' && here === 'double' ? 'double' : t === 'double' && here === 'long' ? 'double' : 'string';
  }
  return t ?? 'string';
}

/** Infers column specs from rows of objects, a column map, or a frame; numbers[][] infer a tensor spec. */
export function inferSpec(data: unknown): Spec[] {
  if (Array.isArray(data) && data.length > 0 && Array.isArray(data[0])) {
    return [{ type: 'tensor', 'tensor-spec': { dtype: 'float64', shape: [-1, (data[0] as unknown[]).length] } }];
  }
  if (Array.isArray(data) && data.length > 0 && typeof data[0] === 'object' && data[0] !== null) {
    const rows = data as Record<string, unknown>[];
    const names = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    return names.map((name) => ({ type: typeOf(rows.map((r) => r[name])), name, required: rows.every((r) => r[name] !== undefined && r[name] !== null) }));
  }
  if (Array.isArray(data)) return [{ type: typeOf(data), required: true }];
  if (data && typeof data === 'object') {
    const o = data as Record<string, unknown>;
    if (Array.isArray(o.columns) && Array.isArray(o.data)) {
      const cols = o.columns as string[];
      return cols.map((name, i) => ({ type: typeOf((o.data as unknown[][]).map((r) => r[i])), name, required: true }));
    }
    return Object.entries(o).map(([name, v]) => ({ type: typeOf(Array.isArray(v) ? v : [v]), name, required: true }));
  }
  throw new BadInputError('Cannot infer a signature from this value: give rows of objects, a { column: values } map, { columns, data }, or number[][].');
}

/** MLflow's infer_signature: specs of the input and (optionally) of the model's output. */
export function inferSignature(input: unknown, output?: unknown): Signature {
  return { inputs: inferSpec(input), ...(output !== undefined ? { outputs: inferSpec(output) } : {}) };
}
