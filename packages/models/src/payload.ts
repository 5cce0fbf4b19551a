import { BadInputError } from './errors.js';
import type { InputSchema, ModelInput } from './input.js';
import { checkRowCount, type InputLimits } from './limits.js';
import { previewName, previewString } from './preview.js';
import { readCsv, readCsvSync } from './_read-csv.js';
import { isTensorSpec } from './signature.js';

const KEYS = ['dataframe_split', 'dataframe_records', 'instances', 'inputs'] as const;

/**
 * MLflow's scoring payloads (`/invocations` and `git-ml models predict`): exactly one of
 * `dataframe_split` ({columns, data}), `dataframe_records` (list of objects), `instances` or
 * `inputs` (tensors, or records / columns for column-based models), plus optional `params`.
 * With `limits`, more rows than `maxRows` are refused (the scoring server's 400).
 */
export function parseJsonPayload(body: unknown, schema: InputSchema, limits?: InputLimits): { input: ModelInput; params?: Record<string, unknown> } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new BadInputError(`The request body must be a JSON object with one of ${KEYS.join(', ')}.`);
  }
  const o = body as Record<string, unknown>;
  const present = KEYS.filter((k) => k in o);
  const unknown = Object.keys(o).filter((k) => !(KEYS as readonly string[]).includes(k) && k !== 'params');
  if (present.length !== 1) {
    throw new BadInputError(
      present.length === 0
        ? `The request body needs one of ${KEYS.join(', ')}${unknown.length ? ` (got ${unknown.slice(0, 5).map(previewName).join(', ')}${unknown.length > 5 ? ', …' : ''})` : ''}.`
        : `The request body has ${present.join(' and ')}; give exactly one of ${KEYS.join(', ')}.`,
    );
  }
  if (unknown.length) throw new BadInputError(`Unknown field${unknown.length > 1 ? 's' : ''} ${unknown.slice(0, 5).map((u) => `'${previewName(u)}'`).join(', ')}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ''} in the request body; allowed: ${KEYS.join(', ')}, params.`);
  const params = o.params;
  if (params !== undefined && (params === null || typeof params !== 'object' || Array.isArray(params))) throw new BadInputError("'params' must be an object.");
  const key = present[0];
  const v = o[key];
  let input: ModelInput;
  if (key === 'dataframe_split') {
    const s = v as Record<string, unknown> | null;
    if (!s || typeof s !== 'object' || !Array.isArray(s.data)) throw new BadInputError("'dataframe_split' must be an object with 'columns' and 'data' (a list of rows).");
    checkRowCount(s.data.length, limits, "'dataframe_split.data'");
    if (schema.tensorBased) input = tensorFromRows(s.data as unknown[], schema);
    else {
      const columns = Array.isArray(s.columns) ? (s.columns as unknown[]) : schema.columns;
      if (!columns || columns.some((c) => typeof c !== 'string')) throw new BadInputError("'dataframe_split.columns' must be a list of column names.");
      input = { kind: 'frame', frame: schema.reorder(columns as string[], s.data as unknown[][]) };
    }
  } else if (key === 'dataframe_records') {
    if (!Array.isArray(v)) throw new BadInputError("'dataframe_records' must be a list of objects (one per row).");
    checkRowCount(v.length, limits, "'dataframe_records'");
    input = schema.tensorBased ? tensorFromRows(v.map((r) => (r && typeof r === 'object' ? Object.values(r as object) : r)), schema) : { kind: 'frame', frame: schema.fromRecords(v) };
  } else {
    if (Array.isArray(v)) checkRowCount(v.length, limits, `'${key}'`);
    else if (v && typeof v === 'object') for (const [k, c] of Object.entries(v)) if (Array.isArray(c)) checkRowCount(c.length, limits, `'${key}.${previewName(k)}'`);
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
export function parseCsvPayload(text: string, schema: InputSchema, limits?: InputLimits): ModelInput {
  return csvInput(readCsvSync(text, limits, csvConverter(schema)), schema);
}

/** parseCsvPayload for the scoring server: refuses input past `limits` early and yields while it reads. */
export async function readCsvPayload(text: string, schema: InputSchema, limits: InputLimits): Promise<ModelInput> {
  return csvInput(await readCsv(text, limits, csvConverter(schema)), schema);
}

function csvConverter(schema: InputSchema): (cells: string[], line: number) => unknown[] {
  const types = new Map((schema.signature?.inputs ?? []).filter((s) => !isTensorSpec(s) && s.name).map((s) => [s.name!, s.type]));
  let header: string[] | null = null;
  let kinds: (string | undefined)[] = [];
  return (cells, line) => {
    if (!header) {
      header = cells;
      kinds = header.map((h) => types.get(h));
      return cells;
    }
    if (cells.length !== header.length) throw new BadInputError(`CSV line ${line} has ${cells.length} values; the header has ${header.length}.`, { line });
    const row = new Array<unknown>(cells.length);
    for (let j = 0; j < cells.length; j++) {
      const cell = cells[j];
      const t = kinds[j];
      if (t === 'string' || t === 'binary' || t === 'datetime') row[j] = cell;
      else if (t === 'boolean') row[j] = cell === 'true' || cell === 'True' || cell === '1';
      else if (cell === '') row[j] = null;
      else {
        const n = Number(cell);
        if (Number.isNaN(n) && cell !== 'NaN') {
          if (t) throw new BadInputError(`CSV line ${line}, column '${previewName(header[j])}': expected ${t}, got ${previewString(cell)}.`, { line, column: header[j] });
          row[j] = cell;
        } else row[j] = n;
      }
    }
    return row;
  };
}

function csvInput(rows: unknown[][], schema: InputSchema): ModelInput {
  if (rows.length === 0) throw new BadInputError('The CSV body is empty; send a header row and data rows.');
  const header = rows[0] as string[];
  const data = rows.slice(1);
  if (schema.tensorBased) return tensorFromRows(data, schema);
  return { kind: 'frame', frame: schema.reorder(header, data) };
}

/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF. Blank lines are skipped. */
export function parseCsv(text: string): string[][] {
  return readCsvSync(text, undefined, (cells) => cells);
}

/** The JSON MLflow answers with: `{"predictions": [...]}` or named outputs. */
export function predictionsBody(p: unknown): string {
  // a replacer costs a call per value: only pay for it when there is a NaN or an infinity to spell out
  if (allFinite(p)) return JSON.stringify({ predictions: p });
  return JSON.stringify({ predictions: p }, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? (Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity') : v));
}

function allFinite(p: unknown): boolean {
  if (typeof p === 'number') return Number.isFinite(p);
  if (Array.isArray(p)) {
    for (let i = 0; i < p.length; i++) {
      const v = p[i];
      if (typeof v === 'number' ? !Number.isFinite(v) : v !== null && typeof v === 'object' && !allFinite(v)) return false;
    }
    return true;
  }
  if (p !== null && typeof p === 'object') return Object.values(p).every(allFinite);
  return true;
}
