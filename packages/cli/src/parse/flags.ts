import { InvalidArgumentError } from 'commander';

/** A `--metric` flag, parsed. */
export interface MetricFlag {
  key: string;
  value: number;
  step?: number;
}

/**
 * Splits `KEY=VALUE` at the first '=' (values may contain '='). Commander reports the error with
 * the flag's name and the bad argument; the message adds the expected form.
 */
export function parseKeyValue(text: string, example = 'lr=0.01'): [string, string] {
  const at = text.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError(`Expected KEY=VALUE, e.g. ${example}.`);
  return [text.slice(0, at), text.slice(at + 1)];
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const SPECIAL: Record<string, number> = { nan: Number.NaN, inf: Infinity, '+inf': Infinity, '-inf': -Infinity, infinity: Infinity, '+infinity': Infinity, '-infinity': -Infinity };

/** `KEY=VALUE[@STEP]`: split at the first '=', the step after the last '@'; VALUE is a number, nan, inf or -inf. */
export function parseMetric(text: string): MetricFlag {
  const expected = 'Expected KEY=VALUE[@STEP] with a numeric VALUE (or nan, inf, -inf) and an integer STEP, e.g. loss=0.25@3.';
  const at = text.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError(expected);
  const key = text.slice(0, at);
  let rest = text.slice(at + 1);
  let step: number | undefined;
  const stepAt = rest.lastIndexOf('@');
  if (stepAt >= 0) {
    const s = rest.slice(stepAt + 1);
    if (!/^[+-]?\d+$/.test(s) || !Number.isSafeInteger(Number(s))) throw new InvalidArgumentError(`Step '${s}' is not an integer. ${expected}`);
    step = Number(s);
    rest = rest.slice(0, stepAt);
  }
  const special = SPECIAL[rest.toLowerCase()];
  if (special !== undefined) return { key, value: special, step };
  if (!DECIMAL.test(rest)) throw new InvalidArgumentError(`Value '${rest}' is not a number. ${expected}`);
  return { key, value: Number(rest), step };
}

/** For a repeatable flag: appends each parsed occurrence. */
export function repeatable<T>(parse: (text: string) => T): (text: string, previous: T[] | undefined) => T[] {
  return (text, previous) => [...(previous ?? []), parse(text)];
}

/** A positive integer (for --max-results). */
export function parsePositiveInt(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) throw new InvalidArgumentError('Expected a positive integer.');
  return Number(text);
}
