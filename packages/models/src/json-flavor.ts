/**
 * Flavors for models that are plain JSON: `toJSON()` is written to `model.json`, `fromJSON()` reads it
 * back. `defineJsonFlavor` builds the whole flavor (save, load with errors naming the file, a
 * predictor over `inputRows`), so a plugin only lists its model classes.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { BadInputError, ModelFormatError } from './errors.js';
import { defineFlavor, type Flavor, type Predictor } from './flavor.js';
import { frameToMatrix, type ModelInput } from './input.js';
import { previewName } from './preview.js';

/** The file the flavor writes: the model's `toJSON()`. */
export const MODEL_FILE = 'model.json';

async function writeModelFile(dir: string, json: unknown): Promise<string> {
  await writeFile(join(dir, MODEL_FILE), JSON.stringify(json));
  return MODEL_FILE;
}

function invalid(message: string, data: Record<string, unknown>, cause?: unknown): ModelFormatError {
  const err = new ModelFormatError(message, data);
  if (cause !== undefined) err.cause = cause;
  return err;
}

/**
 * Reads and parses `flavors.<flavor>.data` (a JSON file inside the model directory). JSON.parse only:
 * nothing in the file is ever evaluated. Errors name the file.
 */
async function readModelFile(dir: string, config: Record<string, unknown>, flavor: string): Promise<{ path: string; json: unknown }> {
  const mlmodel = join(dir, 'MLmodel');
  const data = config.data ?? MODEL_FILE;
  if (typeof data !== 'string' || !data) throw invalid(`${mlmodel}: flavors.${flavor}.data must name the model's JSON file (git-ml writes ${MODEL_FILE}).`, { path: mlmodel, field: `flavors.${flavor}.data` });
  const path = resolve(dir, data);
  const inside = relative(resolve(dir), path);
  if (!inside || inside.startsWith('..') || isAbsolute(inside)) throw invalid(`${mlmodel}: flavors.${flavor}.data '${data}' points outside the model directory.`, { path: mlmodel, field: `flavors.${flavor}.data` });
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw invalid(`${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): flavors.${flavor}.data in ${mlmodel} names a file that is not in the model directory.`, { path }, err);
  }
  try {
    return { path, json: JSON.parse(text) };
  } catch (err) {
    throw invalid(`${path} is not valid JSON (${(err as Error).message}); the file is corrupt or was edited by hand. Save the model again.`, { path }, err);
  }
}

/** Wraps an error from a model's `fromJSON` (or a check of the rebuilt model) so that it names the file. */
function badModelFile(path: string, err: unknown): ModelFormatError {
  const reason = err instanceof Error ? err.message : String(err);
  return invalid(`${path} does not hold a valid model: ${reason}`, { path }, err);
}

/** Checks what `fromJSON` leaves unchecked and prediction relies on: a feature count, and numeric class labels. */
function checkRebuilt(model: { nFeatures: number; classes?: readonly number[] }): void {
  if (!Number.isInteger(model.nFeatures) || model.nFeatures < 1) throw new Error(`nFeatures must be a positive integer; found ${JSON.stringify(model.nFeatures)}.`);
  const c = model.classes;
  if (c !== undefined && !(Array.isArray(c) && c.length >= 2 && c.every((v) => typeof v === 'number' && Number.isFinite(v)) && new Set(c).size === c.length)) {
    throw new Error(`classes must be two or more distinct finite numbers; found ${JSON.stringify(c)}.`);
  }
}

/**
 * The rows of a ModelInput as a number matrix of width `nFeatures`, by position (the models record
 * no feature names; a frame's columns are already in the signature's order). A frame of finite
 * numbers is passed through as it is — no copy on the scoring path; anything else goes through
 * `frameToMatrix` (booleans as 0/1, errors naming the cell). A single 2-D tensor [rows, nFeatures]
 * is cut into rows.
 */
export function inputRows(input: ModelInput, nFeatures: number): number[][] {
  if (input.kind === 'frame') {
    const { columns, data } = input.frame;
    let numeric = true;
    for (let i = 0; i < data.length; i++) {
      const row = data[i];
      if (!Array.isArray(row) || row.length !== nFeatures) throw widthError(i, row, columns, nFeatures);
      if (!numeric) continue;
      for (let j = 0; j < nFeatures; j++) {
        const v = row[j];
        if (typeof v !== 'number') {
          numeric = false;
          break;
        }
        if (!Number.isFinite(v)) throw new BadInputError(`row ${i}, column '${columns[j] ?? j}': ${v} is not a finite number.`, { row: i, column: columns[j] ?? j });
      }
    }
    if (numeric) return data as number[][];
    const rows = frameToMatrix(input.frame);
    rows.forEach((row, i) =>
      row.forEach((v, j) => {
        if (!Number.isFinite(v)) throw new BadInputError(`row ${i}, column '${columns[j] ?? j}': ${v} is not a finite number.`, { row: i, column: columns[j] ?? j });
      }),
    );
    return rows;
  }
  const names = Object.keys(input.tensors);
  if (names.length !== 1) throw new BadInputError(`this model takes one 2-D tensor [rows, ${nFeatures}]; got ${names.length} tensors (${previewName(names.map((n) => `'${n}'`).join(', '))}).`, { inputs: names.slice(0, 10).map(previewName) });
  const { shape, data } = input.tensors[names[0]];
  if (shape.length !== 2 || shape[1] !== nFeatures) {
    throw new BadInputError(`tensor '${previewName(names[0])}' has shape [${shape.join(', ')}]; this model takes [rows, ${nFeatures}].`, { input: names[0], shape });
  }
  if (data.length !== shape[0] * nFeatures) throw new BadInputError(`tensor '${previewName(names[0])}' has ${data.length} values; shape [${shape.join(', ')}] needs ${shape[0] * nFeatures}.`, { input: names[0] });
  const rows = new Array<number[]>(shape[0]);
  for (let i = 0; i < shape[0]; i++) {
    const row = data.slice(i * nFeatures, (i + 1) * nFeatures);
    for (let j = 0; j < nFeatures; j++) {
      if (typeof row[j] !== 'number' || !Number.isFinite(row[j])) throw new BadInputError(`tensor '${previewName(names[0])}'[${i}][${j}] is ${String(row[j])}; every feature must be a finite number.`, { input: names[0], row: i });
    }
    rows[i] = row;
  }
  return rows;
}

function widthError(i: number, row: unknown, columns: string[], nFeatures: number): BadInputError {
  const given = Array.isArray(row) ? `${row.length} value${row.length === 1 ? '' : 's'}` : 'no values';
  const cols = columns.length ? ` (columns ${previewName(columns.join(', '))})` : '';
  return new BadInputError(`row ${i} has ${given}${cols}; this model takes ${nFeatures} features, matched by position.`, { row: i, expected: nFeatures });
}

/** A model a JSON flavor can hold: rows in, one prediction per row out; classifiers add probabilities. */
export interface JsonModel {
  readonly nFeatures: number;
  readonly classes?: readonly number[];
  predict(rows: number[][]): unknown[];
  predictProba?(rows: number[][]): number[][];
  toJSON(): { format: string };
}

/** One kind of model of a JSON flavor: its class, the `format` its JSON carries, and how to rebuild it. */
export interface JsonModelType<M> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  class: abstract new (...args: any[]) => M;
  format: string;
  fromJSON(json: unknown): M;
}

export interface JsonFlavorOptions<M> {
  name: string;
  package: string;
  version?: string;
  /** `model_type` (as written into MLmodel) → the model class */
  types: Record<string, JsonModelType<M>>;
}

function predictor(model: JsonModel): Predictor {
  const n = model.nFeatures;
  const predict: Predictor['predict'] = (input) => {
    const rows = inputRows(input, n);
    return rows.length ? model.predict(rows) : [];
  };
  if (!model.classes || !model.predictProba) return { predict };
  return {
    predict,
    predictProba: (input) => {
      const rows = inputRows(input, n);
      return rows.length ? model.predictProba!(rows) : [];
    },
    classes: [...model.classes],
  };
}

/** Builds a flavor for JSON models: `model.json` plus `{ data, model_type, format }` in MLmodel. */
export function defineJsonFlavor<M extends JsonModel>(options: JsonFlavorOptions<M>): Flavor<M> {
  const { name, types } = options;
  const typeOf = (m: unknown) => Object.keys(types).find((t) => m instanceof types[t].class);
  const kinds = Object.values(types).map((t) => t.class.name).join(' or ');
  return defineFlavor<M>({
    name,
    package: options.package,
    version: options.version,
    accepts: (m): m is M => typeOf(m) !== undefined,
    async save(model, { dir }) {
      const type = typeOf(model);
      if (!type) throw new TypeError(`The ${name} flavor saves a ${kinds}.`);
      const json = model.toJSON();
      const data = await writeModelFile(dir, json);
      return { data, model_type: type, format: json.format };
    },
    async load({ dir, config }) {
      const { path, json } = await readModelFile(dir, config, name);
      const format = (json as { format?: unknown } | null)?.format;
      const given = config.model_type;
      const type = (given ?? Object.keys(types).find((t) => types[t].format === format)) as string | undefined;
      if (typeof type !== 'string' || !Object.hasOwn(types, type)) {
        throw new ModelFormatError(
          given !== undefined
            ? `${join(dir, 'MLmodel')}: flavors.${name}.model_type is ${JSON.stringify(given)}; this version of ${options.package} loads ${Object.keys(types).join(', ')}.`
            : `${path} has format ${JSON.stringify(format)}; expected one of ${Object.values(types).map((t) => `"${t.format}"`).join(', ')}.`,
          { path },
        );
      }
      if (format !== types[type].format) throw badModelFile(path, new Error(`MLmodel says model_type ${type}, so the file's format must be "${types[type].format}"; found ${JSON.stringify(format)}.`));
      let model: M;
      try {
        model = types[type].fromJSON(json);
        checkRebuilt(model);
      } catch (err) {
        throw badModelFile(path, err);
      }
      return predictor(model);
    },
  });
}
