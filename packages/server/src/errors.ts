import { GitMlError } from '@git-ml/gitstore';

/** MLflow's HTTP status for each error code (`mlflow/exceptions.py`). */
const STATUS: Record<string, number> = {
  INVALID_PARAMETER_VALUE: 400,
  BAD_REQUEST: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  INVALID_STATE: 500,
  RESOURCE_DOES_NOT_EXIST: 404,
  NOT_FOUND: 404,
  ENDPOINT_NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  RESOURCE_CONFLICT: 409,
  ABORTED: 409,
  PERMISSION_DENIED: 403,
  UNAUTHENTICATED: 401,
  REQUEST_LIMIT_EXCEEDED: 429,
  RESOURCE_EXHAUSTED: 429,
  INTERNAL_ERROR: 500,
  DATA_LOSS: 500,
  TEMPORARILY_UNAVAILABLE: 503,
  NOT_IMPLEMENTED: 501,
};

/** git-ml's own error codes that are the caller's fault, mapped onto MLflow's. */
const GIT_ML_CODES: Record<string, string> = {
  INVALID_FILTER: 'INVALID_PARAMETER_VALUE',
  INVALID_ORDER_BY: 'INVALID_PARAMETER_VALUE',
  INVALID_PAGE_TOKEN: 'INVALID_PARAMETER_VALUE',
  INVALID_ARGUMENT: 'INVALID_PARAMETER_VALUE',
  INVALID_REF_NAME: 'INVALID_PARAMETER_VALUE',
  FILE_CHANGED: 'INVALID_PARAMETER_VALUE',
  MERGE_CONFLICT: 'RESOURCE_CONFLICT',
  REF_CONFLICT: 'ABORTED',
  REF_LOCKED: 'TEMPORARILY_UNAVAILABLE',
};

/** An error answered as MLflow's `{"error_code": …, "message": …}` with the code's HTTP status. */
export class ApiError extends Error {
  readonly errorCode: string;
  readonly status: number;
  /** where in the caller's text the problem is (filter and order_by errors) */
  readonly position?: number;
  constructor(errorCode: string, message: string, status?: number, position?: number) {
    super(message);
    this.errorCode = errorCode;
    this.status = status ?? STATUS[errorCode] ?? 500;
    this.position = position;
  }
}

export const invalidParameter = (message: string) => new ApiError('INVALID_PARAMETER_VALUE', message);
export const notFound = (message: string) => new ApiError('RESOURCE_DOES_NOT_EXIST', message);

/** Any thrown value as an ApiError: git-ml's errors keep their message; anything else is a bug (500). */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof GitMlError) {
    const code = STATUS[err.code] ? err.code : (GIT_ML_CODES[err.code] ?? 'INTERNAL_ERROR');
    const position = (err.data as { position?: unknown } | undefined)?.position;
    return new ApiError(code, err.message, undefined, typeof position === 'number' ? position : undefined);
  }
  const e = err as Error & { statusCode?: number; code?: string };
  if (e?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new ApiError('RESOURCE_EXHAUSTED', `The request body is larger than the server's limit (${e.message}). Send large files through the artifact proxy (PUT /api/2.0/mlflow-artifacts/artifacts/…), which streams them.`, 413);
  if (e?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new ApiError('BAD_REQUEST', 'Unsupported content type: send JSON (application/json).', 415);
  if (e?.statusCode && e.statusCode >= 400 && e.statusCode < 500) return new ApiError('BAD_REQUEST', e.message, e.statusCode);
  return new ApiError('INTERNAL_ERROR', `Internal error (a bug in git-ml server, please report it): ${e?.message ?? String(err)}`);
}

/** The JSON body of an error response. */
export function errorBody(e: ApiError): string {
  return JSON.stringify({ error_code: e.errorCode, message: e.message, ...(e.position === undefined ? {} : { details: { position: e.position } }) });
}
