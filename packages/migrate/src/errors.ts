import { GitMlError } from '@git-ml/gitstore';

/** A file or folder of the source tree that cannot be read as MLflow wrote it; names the path. */
export class BadSourceError extends GitMlError {
  constructor(readonly path: string, reason: string, data: Record<string, unknown> = {}) {
    super('BAD_SOURCE', `${path}: ${reason}`, { path, ...data });
  }
}

/** The import or export cannot start (no such tree, destination not empty, …). */
export class MigrateError extends GitMlError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('MIGRATE_FAILED', message, data);
  }
}

/**
 * The tracking server an import reads from cannot be reached (refused, timed out, connection lost):
 * the import stops; what was imported stays, and running it again continues.
 */
export class SourceUnreachableError extends GitMlError {
  constructor(message: string, data: Record<string, unknown> = {}, cause?: unknown) {
    super('SOURCE_UNREACHABLE', message, data, { cause });
  }
}

/** The server answered a request with an error; names the request and MLflow's error code. */
export class SourceRequestError extends GitMlError {
  constructor(readonly url: string, readonly status: number, message: string, data: Record<string, unknown> = {}) {
    super('SOURCE_REQUEST_FAILED', message, { url, status, ...data });
  }
}
