import { GitMlError } from '@git-ml/models';

/**
 * The base class of the errors this package raises on purpose — git-ml's one error class
 * (`GitMlError`, re-exported by @git-ml/models): `code` is stable, `data` carries the facts the
 * message was built from, `cause` keeps the underlying error; the CLI prints them without a trace.
 */
export class TreeModelError extends GitMlError {
  constructor(code: string, message: string, data: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, message, data, options);
  }
}

/** Training or prediction input is not a rectangular table of finite numbers of the right width. */
export class InvalidInputError extends TreeModelError {
  constructor(problem: string, data: Record<string, unknown> = {}) {
    super('INVALID_INPUT', problem, data);
  }
}

/** A serialized model is not in a format this version can read. */
export class ModelFormatError extends TreeModelError {
  constructor(problem: string, data: Record<string, unknown> = {}) {
    super('MODEL_FORMAT', `Cannot load the tree model: ${problem}`, data);
  }
}
