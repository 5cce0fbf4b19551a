import { InvalidParameterError } from './errors.js';
import { RUN_STATUSES, type RunStatus } from './model.js';

/** MLflow's validation limits (mlflow/utils/validation.py). */
export const LIMITS = {
  keyLength: 250,
  paramValue: 6000,
  tagValue: 8000,
  experimentName: 500,
  runName: 250,
  batchMetrics: 1000,
  batchParams: 100,
  batchTags: 100,
  batchTotal: 1000,
  maxResultsDefault: 1000,
  maxResults: 50000,
  metricHistoryPage: 25000,
} as const;

/**
 * MLflow's `^[/\w.\- ]*$` (mlflow/utils/validation.py) with Python's Unicode `\w` — letters and
 * digits of any script (`[\p{L}\p{N}_]`, checked equal code point by code point), so `précision`
 * and `精度` are keys — plus `:` as later MLflow versions allow.
 */
const KEY_CHARS = /^[\p{L}\p{N}_\-./ :]*$/u;

function normalizesTo(key: string): boolean {
  // MLflow rejects keys that a path normalisation would change: '..' segments, leading '/', '//'.
  if (key.startsWith('/')) return false;
  const parts = key.split('/');
  return !parts.some((p) => p === '..' || (p === '.' && parts.length > 1) || (p === '' && parts.length > 1));
}

/** Checks a param, metric or tag key; `kind` names it in the error ("param", "metric", "tag"). */
export function validateKey(kind: string, key: unknown): string {
  if (typeof key !== 'string' || key.length === 0) {
    throw new InvalidParameterError(`Invalid ${kind} name: a non-empty string is required, got ${JSON.stringify(key)}.`, { kind, key });
  }
  if (key.length > LIMITS.keyLength) {
    throw new InvalidParameterError(`Invalid ${kind} name '${key.slice(0, 40)}…': ${key.length} characters, the limit is ${LIMITS.keyLength}.`, { kind, key });
  }
  if (!KEY_CHARS.test(key) || !normalizesTo(key) || key === '.') {
    throw new InvalidParameterError(
      `Invalid ${kind} name '${key}'. Names may only contain letters and digits (of any script), underscores (_), dashes (-), periods (.), spaces ( ), colons (:) and slashes (/), and must not contain '..' or start with '/'.`,
      { kind, key },
    );
  }
  return key;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? `an object (${Object.prototype.toString.call(value).slice(8, -1)})` : `a ${typeof value}`;
}

/**
 * A param value as MLflow stores it: strings as they are, numbers, booleans and bigints stringified.
 * Anything else (objects, arrays, null, undefined) would be stored as "[object Object]" or "null",
 * so it is rejected.
 */
export function validateParamValue(key: string, value: unknown): string {
  const t = typeof value;
  if (t !== 'string' && t !== 'number' && t !== 'boolean' && t !== 'bigint') {
    throw new InvalidParameterError(
      `Param '${key}' must be a string, number or boolean, got ${describe(value)}. ` +
        'Log each field as its own param (logParams({ ... })), or pass JSON.stringify(value) to store it as text.',
      { key, type: value === null ? 'null' : Array.isArray(value) ? 'array' : t },
    );
  }
  const v = String(value);
  if (v.length > LIMITS.paramValue) {
    throw new InvalidParameterError(`Param '${key}' has a value of ${v.length} characters; the limit is ${LIMITS.paramValue}.`, { key });
  }
  return v;
}

export function validateTagValue(key: string, value: unknown): string {
  const v = String(value);
  if (v.length > LIMITS.tagValue) {
    throw new InvalidParameterError(`Tag '${key}' has a value of ${v.length} characters; the limit is ${LIMITS.tagValue}.`, { key });
  }
  return v;
}

export function validateMetricValue(key: string, value: unknown): number {
  const v = typeof value === 'string' && /^[+-]?(nan|inf|infinity)$/i.test(value) ? parseSpecial(value) : value;
  if (typeof v !== 'number') {
    throw new InvalidParameterError(`Metric '${key}' must have a numeric value, got ${JSON.stringify(value)}.`, { key });
  }
  return v;
}

function parseSpecial(s: string): number {
  const l = s.toLowerCase();
  if (l.endsWith('nan')) return Number.NaN;
  return l.startsWith('-') ? -Infinity : Infinity;
}

export function validateInteger(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new InvalidParameterError(`'${field}' must be an integer, got ${JSON.stringify(value)}.`, { field });
  }
  return value;
}

export function validateExperimentName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new InvalidParameterError('Invalid experiment name: a non-empty string is required.', { field: 'name' });
  }
  if (name.length > LIMITS.experimentName) {
    throw new InvalidParameterError(`Experiment name of ${name.length} characters is over the limit of ${LIMITS.experimentName}.`, { field: 'name' });
  }
  return name;
}

export function validateStatus(status: unknown): RunStatus {
  if (!RUN_STATUSES.includes(status as RunStatus)) {
    throw new InvalidParameterError(`Invalid run status ${JSON.stringify(status)}: use one of ${RUN_STATUSES.join(', ')}.`, { field: 'status' });
  }
  return status as RunStatus;
}

export function validateRunId(runId: unknown): string {
  if (typeof runId !== 'string' || !/^[a-zA-Z0-9][\w-]{0,255}$/.test(runId)) {
    throw new InvalidParameterError(`Invalid run id ${JSON.stringify(runId)}: run ids are 32 hexadecimal characters.`, { field: 'run_id' });
  }
  return runId;
}

export function validateBatchLimits(metrics: number, params: number, tags: number): void {
  const over = (what: string, n: number, max: number) => {
    if (n > max) throw new InvalidParameterError(`logBatch got ${n} ${what}; the limit is ${max} per call. Split the batch.`, { field: what });
  };
  over('metrics', metrics, LIMITS.batchMetrics);
  over('params', params, LIMITS.batchParams);
  over('tags', tags, LIMITS.batchTags);
  over('entities in all', metrics + params + tags, LIMITS.batchTotal);
}
