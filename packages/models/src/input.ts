import { Ajv, type ValidateFunction } from 'ajv';
import { BadInputError } from './errors.js';
import { previewName, previewValue } from './preview.js';
import { isTensorSpec, type ColSpec, type Signature, type TensorSpec } from './signature.js';

/** Rows in a fixed column order: what column-based flavors receive. */
export interface Frame {
  columns: string[];
  data: unknown[][];
}

/** A dense tensor, flat in row-major order. */
export interface Tensor {
  shape: number[];
  data: number[];
}

export type ModelInput = { kind: 'frame'; frame: Frame } | { kind: 'tensors'; tensors: Record<string, Tensor> };

const JSON_TYPE: Record<string, object> = {
  boolean: { type: 'boolean' },
  integer: { type: 'integer' },
  long: { type: 'integer' },
  float: { type: 'number' },
  double: { type: 'number' },
  string: { type: 'string' },
  binary: { type: 'string' },
  datetime: { type: 'string' },
};

const ajv = new Ajv({ allErrors: false, coerceTypes: false, strictTuples: false });

/**
 * Compiled checks for one signature: rows (in the signature's column order) are validated with an
 * ajv validator compiled once, so a scoring server pays for validation per request, not per schema.
 */
export class InputSchema {
  readonly columns: string[] | null;
  private readonly row: ValidateFunction | null;
  private readonly specs: ColSpec[];
  private readonly tensors: TensorSpec[];

  constructor(readonly signature: Signature | null) {
    const inputs = signature?.inputs ?? [];
    this.tensors = inputs.filter(isTensorSpec);
    this.specs = inputs.filter((s): s is ColSpec => !isTensorSpec(s));
    const named = this.specs.length > 0 && this.specs.every((s) => s.name);
    this.columns = named ? this.specs.map((s) => s.name!) : null;
    this.row = named
      ? ajv.compile({
          type: 'array',
          items: this.specs.map((s) => (s.required === false ? { anyOf: [JSON_TYPE[s.type] ?? {}, { type: 'null' }] } : (JSON_TYPE[s.type] ?? {}))),
        })
      : null;
  }

  get tensorBased(): boolean {
    return this.tensors.length > 0;
  }

  /** Checks rows already in signature order; throws naming the row and the column. */
  checkRows(rows: unknown[][]): void {
    if (!this.row) return;
    for (let i = 0; i < rows.length; i++) {
      if (!this.row(rows[i])) {
        const e = this.row.errors![0];
        const col = /^\/(\d+)/.exec(e.instancePath);
        const spec = col ? this.specs[Number(col[1])] : undefined;
        throw new BadInputError(`row ${i}${spec ? `, column '${spec.name}'` : ''}: ${spec ? `expected ${spec.type}, got ${previewValue(rows[i][Number(col![1])])}` : e.message}`, { row: i, column: spec?.name });
      }
    }
  }

  /** Puts rows of any column order into the signature's order; missing required columns are an error. */
  reorder(columns: string[], data: unknown[][]): Frame {
    if (!this.columns) return { columns, data };
    const seen = new Set<string>();
    for (const c of columns) {
      if (seen.has(c)) throw new BadInputError(`column '${previewName(c)}' is given twice.`, { column: previewName(c) });
      seen.add(c);
    }
    const index = this.columns.map((c) => columns.indexOf(c));
    const missing = this.columns.filter((c, i) => index[i] < 0 && this.specs[i].required !== false);
    if (missing.length) throw new BadInputError(`missing column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')}; the model's signature needs ${this.columns.join(', ')}.`, { missing });
    const same = index.every((j, i) => j === i) && columns.length === this.columns.length;
    const rows = same ? data : data.map((r) => index.map((j) => (j < 0 ? null : r[j])));
    for (let i = 0; i < rows.length; i++) {
      if (!Array.isArray(rows[i]) || (same && rows[i].length !== this.columns.length)) {
        throw new BadInputError(`row ${i} has ${Array.isArray(data[i]) ? data[i].length : 'no'} values; expected ${columns.length} (one per column).`, { row: i });
      }
    }
    this.checkRows(rows);
    return { columns: this.columns, data: rows };
  }

  fromRecords(records: unknown[]): Frame {
    const cols = this.columns ?? [...new Set(records.flatMap((r) => (r && typeof r === 'object' ? Object.keys(r) : [])))];
    const data = records.map((r, i) => {
      if (!r || typeof r !== 'object' || Array.isArray(r)) throw new BadInputError(`record ${i} is not an object of column: value.`, { row: i });
      const o = r as Record<string, unknown>;
      return cols.map((c) => o[c] ?? null);
    });
    if (this.columns) {
      const missing = this.columns.filter((c, i) => this.specs[i].required !== false && records.some((r) => (r as Record<string, unknown>)[c] === undefined));
      if (missing.length) throw new BadInputError(`missing column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')} in some records; the model's signature needs ${this.columns.join(', ')}.`, { missing });
      this.checkRows(data);
    }
    return { columns: cols, data };
  }

  fromColumns(obj: Record<string, unknown>): Frame {
    const cols = Object.keys(obj);
    const arrays = cols.map((c) => (Array.isArray(obj[c]) ? (obj[c] as unknown[]) : [obj[c]]));
    const n = arrays[0]?.length ?? 0;
    if (arrays.some((a) => a.length !== n)) throw new BadInputError('columns have different lengths.', {});
    const data = Array.from({ length: n }, (_, i) => arrays.map((a) => a[i]));
    return this.reorder(cols, data);
  }

  /** A tensor from nested arrays, checked against the tensor spec's shape (-1 = any). */
  tensor(value: unknown, name: string): Tensor {
    const shape: number[] = [];
    let v: unknown = value;
    while (Array.isArray(v)) {
      shape.push(v.length);
      v = v[0];
    }
    const data = (value as unknown[]).flat(Infinity) as unknown[];
    const expected = data.length === shape.reduce((a, b) => a * b, 1);
    if (!expected) throw new BadInputError(`tensor '${previewName(name)}' must be a rectangular array of numbers; its rows have different lengths.`, { input: previewName(name) });
    const bad = data.findIndex((x) => typeof x !== 'number');
    if (bad >= 0) {
      // name the cell: row and column of a matrix, else the flat position
      const where = shape.length === 2 ? `row ${Math.floor(bad / shape[1])}, column '${bad % shape[1]}'` : `value ${bad}`;
      throw new BadInputError(`tensor '${previewName(name)}', ${where}: expected a number, got ${previewValue(data[bad])}.`, { input: previewName(name), index: bad });
    }
    const spec = this.tensors.find((t) => (t.name ?? 'input') === name) ?? (this.tensors.length === 1 ? this.tensors[0] : undefined);
    const want = spec?.['tensor-spec'].shape;
    if (want && (want.length !== shape.length || want.some((d, i) => d !== -1 && d !== shape[i]))) {
      throw new BadInputError(`tensor '${previewName(name)}' has shape [${shape.join(', ')}]; the signature says [${want.join(', ')}] (-1 = any).`, { input: previewName(name) });
    }
    return { shape, data: data as number[] };
  }
}

/**
 * Turns what a caller hands to `predict` — rows of objects, a `{ column: values }` map,
 * `{ columns, data }`, a number[][] matrix, or `{ name: nestedArray }` tensors — into a ModelInput.
 */
export function toModelInput(value: unknown, schema: InputSchema): ModelInput {
  if (schema.tensorBased) {
    if (Array.isArray(value)) return { kind: 'tensors', tensors: { [schemaTensorName(schema)]: schema.tensor(value, schemaTensorName(schema)) } };
    if (value && typeof value === 'object') {
      return { kind: 'tensors', tensors: Object.fromEntries(Object.entries(value).map(([k, v]) => [k, schema.tensor(v, k)])) };
    }
    throw new BadInputError('this model takes tensors: pass nested arrays of numbers, or { inputName: nestedArray }.');
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return { kind: 'frame', frame: { columns: schema.columns ?? [], data: [] } };
    if (Array.isArray(value[0])) return { kind: 'frame', frame: schema.reorder(schema.columns ?? value[0].map((_: unknown, i: number) => String(i)), value as unknown[][]) };
    return { kind: 'frame', frame: schema.fromRecords(value) };
  }
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (Array.isArray(o.columns) && Array.isArray(o.data)) return { kind: 'frame', frame: schema.reorder(o.columns as string[], o.data as unknown[][]) };
    return { kind: 'frame', frame: schema.fromColumns(o) };
  }
  throw new BadInputError('cannot read this input: pass rows of objects, { column: values }, { columns, data } or a number[][] matrix.');
}

function schemaTensorName(schema: InputSchema): string {
  return schema.signature?.inputs.find(isTensorSpec)?.name ?? 'input';
}

/** A frame as a number matrix (booleans as 0/1); the error names the first cell that is not numeric. */
export function frameToMatrix(frame: Frame): number[][] {
  return frame.data.map((row, i) =>
    row.map((v, j) => {
      if (typeof v === 'number') return v;
      if (typeof v === 'boolean') return v ? 1 : 0;
      throw new BadInputError(`row ${i}, column '${previewName(frame.columns[j])}': expected a number, got ${previewValue(v)}.`, { row: i, column: previewName(frame.columns[j]) });
    }),
  );
}
