import { GitMlError } from '@git-ml/gitstore';

/** A value or argument breaks one of MLflow's rules; the message names the field. (MLflow: INVALID_PARAMETER_VALUE) */
export class InvalidParameterError extends GitMlError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('INVALID_PARAMETER_VALUE', message, data);
  }
}

/** An experiment, run or artifact that does not exist. (MLflow: RESOURCE_DOES_NOT_EXIST) */
export class NotFoundError extends GitMlError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('RESOURCE_DOES_NOT_EXIST', message, data);
  }
}

/** Creating something whose name is taken. (MLflow: RESOURCE_ALREADY_EXISTS) */
export class AlreadyExistsError extends GitMlError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('RESOURCE_ALREADY_EXISTS', message, data);
  }
}

/** A stored record that cannot be parsed; names the ref and the file so the rest stays usable. */
export class CorruptRecordError extends GitMlError {
  constructor(ref: string, file: string, detail: string, options?: { cause?: unknown }) {
    super(
      'CORRUPT_RECORD',
      `${file} in ${ref} is not a valid git-ml record: ${detail}. Inspect it with \`git show ${ref}:${file}\`; ` +
        `fix it with a new commit on that ref, or delete the ref to drop the record.`,
      { ref, file, detail },
      options,
    );
  }
}

/** Pulling found a run changed in both places in ways that cannot both hold (a param with two values). */
export class MergeConflictError extends GitMlError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('MERGE_CONFLICT', message, data);
  }
}

/** A logging call whose journal write did not complete (a full disk): the value was not logged. */
export class JournalWriteError extends GitMlError {
  constructor(message: string, data: { path: string; cause?: unknown }) {
    super('JOURNAL_WRITE_FAILED', message, { path: data.path }, { cause: data.cause });
  }
}

/** A shortened run id that several runs start with; `data.candidates` lists them (the message shows at most 10). */
export class AmbiguousRunIdError extends GitMlError {
  constructor(prefix: string, candidates: string[]) {
    const shown = candidates.slice(0, 10);
    const more = candidates.length - shown.length;
    super(
      'AMBIGUOUS_RUN_ID',
      `Run id '${prefix}' is ambiguous: ${candidates.length} runs start with it; give more characters of the id.\n` +
        shown.map((c) => `  ${c}`).join('\n') +
        (more > 0 ? `\n  … and ${more} more` : ''),
      { prefix, candidates },
    );
  }
}
