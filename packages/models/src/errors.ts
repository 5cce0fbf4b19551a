import { GitMlError } from '@git-ml/gitstore';

/** An MLmodel file or model directory that cannot be read. */
export class ModelFormatError extends GitMlError {
  constructor(message: string, data: Record<string, unknown> = {}, cause?: unknown) {
    super('INVALID_MODEL', message, data, cause === undefined ? undefined : { cause });
  }
}

/** No installed plugin can load the model; the message names what to install. */
export class FlavorNotAvailableError extends GitMlError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('FLAVOR_NOT_AVAILABLE', message, data);
  }
}

/** Input that does not fit the model (wrong columns, types, shapes): the scoring server's 400. */
export class BadInputError extends GitMlError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('BAD_REQUEST', message, data);
  }
}

/**
 * A request over one of the scoring server's limits (rows, cells, nesting depth): a 400
 * `INVALID_PARAMETER_VALUE` whose message names the limit and the option that raises it.
 */
export class InputLimitError extends GitMlError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('INVALID_PARAMETER_VALUE', message, data);
  }
}
