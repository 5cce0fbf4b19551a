import { BadInputError } from './errors.js';
import type { InputSchema, ModelInput } from './input.js';
import { isTensorSpec } from './signature.js';

const KEYS = ['dataframe_split', 'dataframe_records', 'instances', 'inputs'] as const;

/**
 * MLflow's scoring payloads (`/invocations` and `git-ml models predict`): exactly one of
 * `dataframe_split` ({columns, data}), `dataframe_records` (list of objects), `instances` or
 * `inputs` (tensors, or records / columns for column-based models), plus optional `params`.
 */
export function parseJsonPayload(body: unknown, schema: InputSchema): { input: ModelInput; params?: Record<string, unknown> } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new BadInputError(`The request body must be a JSON object with one of ${KEYS.join(', ')}.`);
  }
  const o = body as Record<string, unknown>;
  const present = KEYS.filter((k) => k in o);
  const unknown = Object.keys(o).filter((k) => !(KEYS as readonly string[]).includes(k) && k !== 'params');
  if (present.length !== 1) {
    throw new BadInputError(
      present.length === 0
        ? `The request body needs one of ${KEYS.join(', ')}${unknown.length ? ` (got ${unknown.join(', ')})` : ''}.`
        : `The request body has ${present.join(' and ')}; give exactly one of ${KEYS.join(', ')}.`,
    );
  }
  if (unknown.length) throw new BadInputError(`Unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `'${u}'`).join(', ')} in the request body; allowed: ${KEYS.join(', ')}, params.`);
  const params = o.params;
  if (params !== undefined && (params === null || typeof params !== 'object' || Array.isArray(params))) throw new BadInputError("'params' must be an object.");
  const key = present[0];
  const v = o[key];
  let input: ModelInput;
  if (key === 'dataframe_split') {
    const s = v as Record<string, unknown> | null;
    if (!s || typeof s !== 'object' || !Array.isArray(s.data)) throw new BadInputError("'dataframe_split' must be an object with 'columns' and 'data' (a list of rows).");
    if (schema.tensorBased) input = tensorFromRows(s.data as unknown[], schema);
    else {
      const columns = Array.isArray(s.columns) ? (s.columns as unknown[]) : schema.columns;
      if (!columns || columns.some((c) => typeof c !== 'string')) throw new BadInputError("'dataframe_split.columns' must be a list of column names.");
      input = { kind: 'frame', frame: schema.reorder(columns as string[], s.data as unknown[][]) };
    }
  } else if (key === 'dataframe_records') {
    if (!Array.isArray(v)) throw new BadInputError("'dataframe_records' must be a list of objects (one per row).");
    input = schema.tensorBased ? tensorFromRows(v.map((r) => (r && typeof r === 'object' ? Object.values(r as object) : r)), schema) : { kind: 'frame', frame: schema.fromRecords(v) };
  } else {
    input = fromInstances(v, schema, key);
  }
  return { input, ...(params ? { params: params as Record<string, unknown> } : {}) };
}

function tensorFromRows(rows: unknown[], schema: InputSchema): ModelInput {
  const name = schema.signature?.inputs.find(isTensorSpec)?.name ?? 'input';
  return { kind: 'tensors', tensors: { [name]: schema.tensor(rows, name) } };
}

function fromInstances(v: unknown, schema: InputSchema, key: string): ModelInput {
  if (schema.tensorBased) {
    if (Array.isArray(v)) return tensorFromRows(v, schema);
    if (v && typeof v === 'object') return { kind: 'tensors', tensors: Object.fromEntries(Object.entries(v).map(([k, t]) => [k, schema.tensor(t, k)])) };
    throw new BadInputError(`'${key}' must be a nested list of numbers, or an object of named tensors.`);
  }
  if (Array.isArray(v)) {
    if (v.length > 0 && Array.isArray(v[0])) {
      if (!schema.columns) throw new BadInputError(`'${key}' holds rows without column names and the model has no signature to name them; send dataframe_split with columns.`);
      return { kind: 'frame', frame: schema.reorder(schema.columns, v as unknown[][]) };
    }
    return { kind: 'frame', frame: schema.fromRecords(v) };
  }
  if (v && typeof v === 'object') return { kind: 'frame', frame: schema.fromColumns(v as Record<string, unknown>) };
  throw new BadInputError(`'${key}' must be a list of records or an object of columns.`);
}

/** A CSV body with a header row; values become numbers where the signature (or the text) says so. */
export function parseCsvPayload(text: string, schema: InputSchema): ModelInput {
  const rows = parseCsv(text);
  if (rows.length === 0) throw new BadInputError('The CSV body is empty; send a header row and data rows.');
  const [header, ...data] = rows;
  const types = new Map((schema.signature?.inputs ?? []).filter((s) => !isTensorSpec(s) && s.name).map((s) => [s.name!, s.type]));
  const converted = data.map((r, i) => {
    if (r.length !== header.length) throw new BadInputError(`CSV line ${i + 2} has ${r.length} values; the header has ${header.length}.`, { line: i + 2 });
    return r.map((cell, j) => {
      const t = types.get(header[j]);
      if (t === 'string' || t === 'binary' || t === 'datetime') return cell;
      if (t === 'boolean') return cell === 'true' || cell === 'True' || cell === '1';
      if (cell === '') return null;
      const n = Number(cell);
      if (Number.isNaN(n) && cell !== 'NaN') {
        if (t) throw new BadInputError(`CSV line ${i + 2}, column '${header[j]}': expected ${t}, got '${cell}'.`, { line: i + 2, column: header[j] });
        return cell;
      }
      return n;
    });
  });
  if (schema.tensorBased) return tensorFromRows(converted, schema);
  return { kind: 'frame', frame: schema.reorder(header, converted) };
}

/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (quoted) throw new BadInputError('The CSV body ends inside a quoted field.');
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** The JSON MLflow answers with: `{"predictions": [...]}` or named outputs. */
export function predictionsBody(p: unknown): string {
  return JSON.stringify({ predictions: p }, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? (Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity') : v));
}
