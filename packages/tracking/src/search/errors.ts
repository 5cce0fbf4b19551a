/**
 * Errors raised by run search. They carry the same `code` / `data` shape as git-ml's other errors
 * so an API layer can turn any of them into MLflow's `{error_code, message}` without special cases.
 */

import { GitMlError } from '@git-ml/gitstore';

/**
 * The base of every error search raises on purpose: `code` is stable for programs to branch on and
 * `data` holds the facts the message was built from.
 */
export class SearchError extends GitMlError {
  constructor(code: string, message: string, data: Record<string, unknown>) {
    super(code, message, data);
  }
}

/** Text with a caret under `position`, so the user sees where parsing stopped. */
function pointAt(text: string, position: number): string {
  const shown = text.replace(/[\r\n\t]/g, ' ');
  return `  ${shown}\n  ${' '.repeat(Math.min(position, shown.length))}^`;
}

/**
 * A `filter` string that is not valid search syntax, or compares a key with the wrong kind of value.
 * `data.position` is the 0-based character offset where the problem was found (the filter's length
 * when the filter ended too early); the message repeats the filter with a caret under that position.
 */
export class FilterSyntaxError extends SearchError {
  constructor(filter: string, position: number, reason: string) {
    super('INVALID_FILTER', `Invalid filter at position ${position}: ${reason}\n${pointAt(filter, position)}`, {
      filter,
      position,
      reason,
    });
  }
}

/**
 * An `order_by` clause that is not `<identifier> [ASC|DESC]`, names an unknown attribute, or repeats
 * a key. `data.position` is the 0-based offset inside `data.clause`.
 */
export class OrderBySyntaxError extends SearchError {
  constructor(clause: string, position: number, reason: string) {
    super('INVALID_ORDER_BY', `Invalid order_by clause at position ${position}: ${reason}\n${pointAt(clause, position)}`, {
      clause,
      position,
      reason,
    });
  }
}

/** A `page_token` that is malformed or was issued for a different query. */
export class InvalidPageTokenError extends SearchError {
  constructor(reason: string, token: string) {
    super(
      'INVALID_PAGE_TOKEN',
      `Invalid page_token: ${reason}. Page tokens are only valid for the query that returned them; ` +
        'repeat the search without a page_token to start from the first page.',
      { reason, token },
    );
  }
}

/** A request parameter outside its allowed range (MLflow's INVALID_PARAMETER_VALUE). */
export class InvalidArgumentError extends SearchError {
  constructor(parameter: string, value: unknown, requirement: string) {
    super(
      'INVALID_PARAMETER_VALUE',
      `Invalid value ${JSON.stringify(value) ?? String(value)} for parameter '${parameter}': ${requirement}.`,
      { parameter, value },
    );
  }
}
