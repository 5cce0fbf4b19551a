import { BadInputError, previewValue } from '@git-ml/models';
import { Tensor } from 'onnxruntime-node';

/** A graph input as onnxruntime reports it (a string dimension is symbolic: any size). */
export interface GraphInput {
  name: string;
  type: Tensor.Type;
  shape: (number | string)[];
}

/** Where the values come from: rows of a frame (all columns, or one), or a flat row-major list. */
export type Source = { rows: unknown[][]; column: number | null; columns: string[] } | { flat: unknown[] };

export type Writable = { [i: number]: unknown; length: number };

const ARRAY: Partial<Record<Tensor.Type, new (n: number) => Writable>> = {
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  bool: Uint8Array,
};

export const buildable = (type: Tensor.Type): boolean => type === 'string' || !!ARRAY[type];

/**
 * A tensor of the input's element type from JS values, written into `spare` when it has the right
 * length (a buffer from an earlier call, see InputPlan.recycle). Numbers into float tensors take a tight loop
 * (the scoring hot path); everything else goes through `element`, which names the offending cell.
 */
export function toTensor(input: GraphInput, shape: number[], src: Source, spare?: Writable | null): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const out: Writable = spare?.length === n ? spare : input.type === 'string' ? new Array<string>(n) : new ARRAY[input.type]!(n);
  const float = input.type === 'float32' || input.type === 'float64';
  if ('flat' in src) {
    const d = src.flat;
    for (let k = 0; k < n; k++) out[k] = element(input, d[k], () => `element ${k}`);
    return new Tensor(input.type, out as Tensor.DataTypeMap[Tensor.Type], shape);
  }
  const { rows, column, columns } = src;
  const width = column === null ? (rows.length ? n / rows.length : 0) : 1;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (!Array.isArray(row) || (column === null && row.length !== width)) {
      throw new BadInputError(`row ${r} has ${Array.isArray(row) ? row.length : 'no'} values; ONNX input '${input.name}' takes ${width} per row.`, { input: input.name, row: r });
    }
  }
  const at = (r: number, c: number) => () => `row ${r}, column '${columns[c] ?? c}'`;
  if (float && column === null) fillFloats(out as Float32Array, rows, width, (v, r, c) => element(input, v, at(r, c)) as number);
  else {
    for (let r = 0, k = 0; r < rows.length; r++) {
      if (column !== null) out[k++] = element(input, rows[r][column], at(r, column));
      else for (let c = 0; c < width; c++) out[k++] = element(input, rows[r][c], at(r, c));
    }
  }
  return new Tensor(input.type, out as Tensor.DataTypeMap[Tensor.Type], shape);
}

// Kept separate and monomorphic: the store stays a raw double store when every cell is a number.
function fillFloats(out: Float32Array | Float64Array, rows: unknown[][], width: number, other: (v: unknown, r: number, c: number) => number): void {
  let k = 0;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    for (let c = 0; c < width; c++) {
      const v = row[c];
      out[k++] = typeof v === 'number' ? v : other(v, r, c);
    }
  }
}

function element(input: GraphInput, v: unknown, at: () => string): unknown {
  const type = input.type;
  const reject = (what: string): never => {
    throw new BadInputError(`${at()}: ONNX input '${input.name}' takes ${what}; got ${previewValue(v)}.`, { input: input.name });
  };
  if (type === 'string') return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : reject('strings');
  if (type === 'float32' || type === 'float64') return typeof v === 'number' ? v : typeof v === 'boolean' ? +v : v === null ? NaN : reject('numbers (null = missing)');
  const big = type === 'int64' || type === 'uint64';
  if (typeof v === 'boolean') return big ? BigInt(+v) : +v;
  if (typeof v !== 'number' || !Number.isInteger(v)) return reject(`${type} integers`);
  return big ? BigInt(v) : v;
}
