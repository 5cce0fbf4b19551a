/**
 * Opaque page tokens. Like MLflow's, a token is base64 of a small JSON object holding the offset of
 * the next page; ours also holds a fingerprint of the query so that a token replayed against a
 * different filter or order_by is refused instead of silently skipping or repeating runs.
 */
import { createHash } from 'node:crypto';
import { InvalidPageTokenError } from './errors.js';

const TOKEN_VERSION = 1;

/**
 * A short, stable fingerprint of a search query: the trimmed filter, the order_by clauses and any
 * `scope` strings the caller adds (experiment ids, view type…). Equal inputs give equal fingerprints.
 */
export function queryFingerprint(filter: string | undefined, orderBy: readonly string[] | undefined, ...scope: string[]): string {
  const canonical = JSON.stringify([(filter ?? '').trim(), orderBy ?? [], scope]);
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}

/** Encodes the offset of the next page and the query's fingerprint as a base64url token. */
export function encodePageToken(offset: number, fingerprint: string): string {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`page offset must be a non-negative integer, got ${offset}`);
  return Buffer.from(JSON.stringify({ v: TOKEN_VERSION, offset, query: fingerprint }), 'utf8').toString('base64url');
}

/**
 * Decodes a token from {@link encodePageToken} and returns its offset; an empty token means the first
 * page (0). Throws {@link InvalidPageTokenError} (code `INVALID_PAGE_TOKEN`) when the token is not one
 * of ours or was issued for a query with a different fingerprint.
 */
export function decodePageToken(token: string, fingerprint: string): number {
  if (token === '') return 0;
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(token)) throw new InvalidPageTokenError('it is not base64url text', token);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidPageTokenError('it does not decode to a page position', token);
  }
  if (typeof parsed !== 'object' || parsed === null) throw new InvalidPageTokenError('it does not decode to a page position', token);
  const { v, offset, query } = parsed as Record<string, unknown>;
  if (v !== TOKEN_VERSION || typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0 || typeof query !== 'string') {
    throw new InvalidPageTokenError('it does not decode to a page position', token);
  }
  if (query !== fingerprint) {
    throw new InvalidPageTokenError('it was issued for a different query (the filter, order_by or experiments changed)', token);
  }
  return offset;
}
