import { describe, expect, it } from 'vitest';
import { InvalidPageTokenError } from './errors.js';
import { decodePageToken, encodePageToken, queryFingerprint } from './page-token.js';

function tokenError(token: string, fingerprint: string): InvalidPageTokenError {
  try {
    decodePageToken(token, fingerprint);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidPageTokenError);
    return e as InvalidPageTokenError;
  }
  throw new Error(`expected ${token} to be rejected`);
}

describe('page tokens', () => {
  const fp = queryFingerprint("metrics.acc > 0.5", ['metrics.acc DESC']);

  it('round-trip the offset for the same query', () => {
    for (const offset of [0, 1, 10, 49_999, 2 ** 40]) {
      const token = encodePageToken(offset, fp);
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodePageToken(token, fp)).toBe(offset);
    }
  });

  it('read an empty token as the first page', () => {
    expect(decodePageToken('', fp)).toBe(0);
  });

  it('refuse a token from a different query', () => {
    const token = encodePageToken(10, fp);
    const e = tokenError(token, queryFingerprint('metrics.acc > 0.6', ['metrics.acc DESC']));
    expect(e.code).toBe('INVALID_PAGE_TOKEN');
    expect(e.message).toContain('it was issued for a different query');
    expect(() => decodePageToken(token, queryFingerprint('metrics.acc > 0.5', ['metrics.acc ASC']))).toThrow(InvalidPageTokenError);
    expect(() => decodePageToken(token, queryFingerprint('metrics.acc > 0.5', ['metrics.acc DESC'], 'exp-2'))).toThrow(InvalidPageTokenError);
  });

  it('fingerprint the same query the same way, ignoring surrounding blanks in the filter', () => {
    expect(queryFingerprint(' metrics.acc > 0.5 ', ['metrics.acc DESC'])).toBe(fp);
    expect(queryFingerprint(undefined, undefined)).toBe(queryFingerprint('', []));
    expect(queryFingerprint('a', ['b'])).not.toBe(queryFingerprint('a', ['b', 'c']));
  });

  it('refuse tokens that are not ours', () => {
    expect(tokenError('not a token!', fp).message).toContain('not base64url');
    expect(tokenError(Buffer.from('hello').toString('base64url'), fp).message).toContain('does not decode to a page position');
    expect(tokenError(Buffer.from('{"offset":5}').toString('base64url'), fp).message).toContain('does not decode to a page position');
    const negative = Buffer.from(JSON.stringify({ v: 1, offset: -1, query: fp })).toString('base64url');
    expect(tokenError(negative, fp).data.token).toBe(negative);
    const fractional = Buffer.from(JSON.stringify({ v: 1, offset: 1.5, query: fp })).toString('base64url');
    expect(() => decodePageToken(fractional, fp)).toThrow(InvalidPageTokenError);
  });

  it('refuse to encode a bad offset', () => {
    expect(() => encodePageToken(-1, fp)).toThrow(RangeError);
    expect(() => encodePageToken(Number.NaN, fp)).toThrow(RangeError);
  });
});
