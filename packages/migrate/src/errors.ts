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
