import { GitMlError } from '@git-ml/gitstore';

/** An MLproject file that cannot be used; the message starts with `file:line` and names the field. */
export class MlprojectError extends GitMlError {
  constructor(file: string, line: number, field: string, problem: string, data: Record<string, unknown> = {}) {
    super('INVALID_MLPROJECT', `${file}:${line}: ${field ? `${field}: ` : ''}${problem}`, { file, line, field, ...data });
  }
}

/** A parameter value that is missing, of the wrong type, or not allowed. (MLflow: INVALID_PARAMETER_VALUE) */
export class ProjectParameterError extends GitMlError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('INVALID_PARAMETER_VALUE', message, data);
  }
}

/** An entry point that the project does not declare and that is not a runnable file. */
export class EntryPointNotFoundError extends GitMlError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('ENTRY_POINT_NOT_FOUND', message, data);
  }
}

/** The project's code could not be found or checked out (bad path, URL, version or subdirectory). */
export class ProjectSourceError extends GitMlError {
  constructor(message: string, data: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('PROJECT_SOURCE', message, data, options);
  }
}

/** A tool an environment needs (conda, a Docker engine, a Python version, tsx) is not there. */
export class EnvironmentUnavailableError extends GitMlError {
  constructor(message: string, data: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('ENVIRONMENT_UNAVAILABLE', message, data, options);
  }
}

/** Building an environment failed (npm ci, venv, pip install, conda create exited non-zero). */
export class EnvironmentBuildError extends GitMlError {
  constructor(message: string, data: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('ENVIRONMENT_BUILD_FAILED', message, data, options);
  }
}

/** A run cannot be reproduced: it lacks the tags that say what ran, or its source commit is gone. */
export class NotReproducibleError extends GitMlError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('NOT_REPRODUCIBLE', message, data);
  }
}
