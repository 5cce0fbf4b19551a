import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { LIMITS } from '@git-ml/tracking';
import { ProjectParameterError } from '../errors.js';
import type { EntryPointSpec, ParameterSpec } from '../spec/project.js';

/** Parameter values as callers pass them (`-P key=value` gives strings). */
export type ParameterValues = Record<string, string | number | boolean>;

/** The values a run will use: declared parameters (defaults filled in, paths made absolute) and undeclared ones. */
export interface ResolvedParameters {
  declared: Record<string, string>;
  extra: Record<string, string>;
}

const FLOAT = /^[+-]?(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?$|^[+-]?(?:inf|infinity|nan)$/i;
const INT = /^[+-]?\d[\d_]*$/;
const BOOL = /^(?:true|false|1|0|yes|no)$/i;
const URI = /^[a-z][a-z0-9+.-]*:/i;
const KEY = /^[\w\-. /:]{1,250}$/;

function checkKey(key: string): void {
  const parts = key.split('/');
  const badPath = key.startsWith('/') || key === '.' || parts.some((p) => p === '..' || (parts.length > 1 && (p === '' || p === '.')));
  if (!KEY.test(key) || badPath) {
    throw new ProjectParameterError(
      `Invalid parameter name '${key}': names are 1-250 letters, digits, '_', '-', '.', '/', ':' or spaces (MLflow's rule), without a leading '/' or a '..' segment.`,
      { key },
    );
  }
}

function typed(spec: ParameterSpec, value: string, base: string, from: string): string {
  const bad = (what: string) =>
    new ProjectParameterError(`Parameter '${spec.name}' must be ${what}, got ${JSON.stringify(value)}${from}.`, { key: spec.name, type: spec.type, value });
  switch (spec.type) {
    case 'float':
      if (!FLOAT.test(value.trim())) throw bad('a float (e.g. 0.5, .5, 1e-3)');
      return value;
    case 'int':
      if (!INT.test(value.trim())) throw bad('an int (e.g. 10)');
      return value;
    case 'bool':
      if (!BOOL.test(value.trim())) throw bad('a bool (true, false, 1, 0, yes or no)');
      return value;
    case 'uri':
      if (!URI.test(value)) throw bad('a URI with a scheme (e.g. s3://bucket/key, file:///data, https://host/x)');
      return value;
    case 'path': {
      if (URI.test(value) && !/^file:/i.test(value)) return value;
      const local = /^file:/i.test(value) ? new URL(value).pathname : value;
      const abs = isAbsolute(local) ? local : resolve(base, local);
      if (!existsSync(abs)) throw bad(`an existing file or directory, but ${abs} does not exist`);
      return abs;
    }
    default:
      return value;
  }
}

/**
 * Checks and completes the parameters of an entry point, as MLflow does: every declared parameter
 * without a default must be given; values are checked against their type (`path` values must
 * exist and become absolute — given values relative to `cwd`, defaults relative to the project);
 * parameters the entry point does not declare are kept to be appended as `--key value`.
 */
export function resolveParameters(entry: EntryPointSpec, given: ParameterValues, cwd: string, projectDir: string): ResolvedParameters {
  const values = Object.fromEntries(Object.entries(given).map(([k, v]) => [k, String(v)]));
  for (const key of Object.keys(values)) checkKey(key);
  const missing = Object.values(entry.parameters).filter((p) => values[p.name] === undefined && p.default === null);
  if (missing.length > 0) {
    const list = missing.map((p) => `'${p.name}' (${p.type})`).join(', ');
    throw new ProjectParameterError(
      `Entry point '${entry.name}' needs parameter${missing.length > 1 ? 's' : ''} ${list}: pass ${missing.map((p) => `-P ${p.name}=…`).join(' ')}.`,
      { entry_point: entry.name, missing: missing.map((p) => p.name) },
    );
  }
  const declared: Record<string, string> = {};
  for (const p of Object.values(entry.parameters)) {
    const own = values[p.name];
    declared[p.name] = own !== undefined ? typed(p, own, cwd, '') : typed(p, p.default!, projectDir, ' (its default in the MLproject)');
  }
  const extra: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) if (!(k in entry.parameters)) extra[k] = v;
  for (const v of [...Object.values(declared), ...Object.values(extra)]) {
    if (v.length > LIMITS.paramValue) throw new ProjectParameterError(`A parameter value is ${v.length} characters long; MLflow allows at most ${LIMITS.paramValue}.`, {});
  }
  return { declared, extra };
}
