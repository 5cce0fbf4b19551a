import { InputLimitError } from './errors.js';

/**
 * What one scoring request may hold. Every limit bounds the work a request can cause before it is
 * refused, so a body under the size limit cannot stall the server (see docs/models.md).
 */
export interface InputLimits {
  /** data rows per request (CSV lines after the header, records, list items, tensor rows); default 100 000 */
  maxRows: number;
  /** values per request: every number, string, boolean or null, and every empty list or object; default 2 000 000 */
  maxCells: number;
  /** how deeply lists and objects may nest in a JSON body; default 64 */
  maxDepth: number;
}

export const DEFAULT_INPUT_LIMITS: Readonly<InputLimits> = Object.freeze({ maxRows: 100_000, maxCells: 2_000_000, maxDepth: 64 });

/** The limits with defaults filled in; a limit that is not a positive integer is refused. */
export function inputLimits(given: Partial<InputLimits> = {}): InputLimits {
  const limits = { ...DEFAULT_INPUT_LIMITS };
  for (const key of Object.keys(DEFAULT_INPUT_LIMITS) as (keyof InputLimits)[]) {
    const v = given[key];
    if (v === undefined) continue;
    if (!Number.isSafeInteger(v) || v < 1) throw new InputLimitError(`${key} must be a positive integer; got ${String(v)}.`, { limit: key });
    limits[key] = v;
  }
  return limits;
}

const FLAG: Record<keyof InputLimits, string> = { maxRows: '--max-rows', maxCells: '--max-cells', maxDepth: '--max-depth' };

/** The error for a request past `limit`: what was found, the limit, and how to get through. */
export function overLimit(limit: keyof InputLimits, limits: InputLimits, what: string): InputLimitError {
  const advice =
    limit === 'maxDepth'
      ? 'Send flat rows (dataframe_split or dataframe_records) or tensors of fewer dimensions'
      : 'Split the input into smaller requests';
  const noun = limit === 'maxRows' ? 'rows' : limit === 'maxCells' ? 'values' : 'levels of nesting';
  return new InputLimitError(`${what}; the server takes at most ${limits[limit]} ${noun} per request (${limit}, ${FLAG[limit]} of git-ml models serve). ${advice}.`, { limit, value: limits[limit] });
}

/** Refuses `rows` past maxRows; `what` names where they are ("dataframe_records"). */
export function checkRowCount(rows: number, limits: InputLimits | undefined, what: string): void {
  if (limits && rows > limits.maxRows) throw overLimit('maxRows', limits, `${what} has ${rows} rows, more than ${limits.maxRows}`);
}
