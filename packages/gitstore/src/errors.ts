/**
 * The base class of every error git-ml raises on purpose. `code` is stable (programs may branch on
 * it), `data` carries the facts the message was built from, and `cause` keeps the underlying error.
 * Messages say what went wrong and what to do next.
 */
export class GitMlError extends Error {
  readonly code: string;
  readonly data: Record<string, unknown>;
  constructor(code: string, message: string, data: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.data = data;
  }
}

/** No git repository where one was expected. */
export class NotARepositoryError extends GitMlError {
  constructor(dir: string) {
    super(
      'NOT_A_GIT_REPOSITORY',
      `Not inside a git repository: ${dir}. Run \`git init\` there first, or pass --repo DIR ` +
        '(or set MLFLOW_TRACKING_URI / GIT_ML_REPO) to point at one.',
      { dir },
    );
  }
}

/** A ref moved under us: its value was not the one the caller expected. */
export class RefConflictError extends GitMlError {
  constructor(ref: string, expected: string | null, actual: string | null) {
    super(
      'REF_CONFLICT',
      `Ref ${ref} changed concurrently (expected ${expected ?? 'absent'}, found ${actual ?? 'absent'}). Retry the operation.`,
      { ref, expected, actual },
    );
  }
}

/** Another process holds a ref's lock file for longer than we are willing to wait. */
export class RefLockedError extends GitMlError {
  constructor(ref: string, lockPath: string) {
    super(
      'REF_LOCKED',
      `Could not lock ${ref}: ${lockPath} exists. Another git or git-ml process is updating it; ` +
        'if none is running, a crashed one left the lock behind — remove that file and retry.',
      { ref, lockPath },
    );
  }
}

/** An object that should exist is missing or unreadable. */
export class ObjectNotFoundError extends GitMlError {
  constructor(oid: string, what = 'object') {
    super('OBJECT_NOT_FOUND', `git ${what} ${oid} is missing from the repository. Run \`git fsck\` to check it.`, { oid });
  }
}

/** A stored object or file is not in the format it should be. */
export class CorruptObjectError extends GitMlError {
  constructor(what: string, detail: string, options?: { cause?: unknown }) {
    super('CORRUPT_OBJECT', `${what} is corrupt: ${detail}. Run \`git fsck\` to check the repository.`, { what, detail }, options);
  }
}

/** A packfile or pack index that cannot be read: names the file and, where known, the object. */
export class CorruptPackError extends GitMlError {
  constructor(path: string, detail: string, oid?: string) {
    super(
      'CORRUPT_PACK',
      `${path} is corrupt${oid ? ` (reading object ${oid})` : ''}: ${detail}. Run \`git fsck\`; if another clone has the objects, \`git fetch\` them again, else restore the file from a backup.`,
      { path, oid: oid ?? null, detail },
    );
  }
}
