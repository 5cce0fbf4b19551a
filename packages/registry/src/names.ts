import { createHash } from 'node:crypto';
import { InvalidParameterError } from '@git-ml/tracking';

/** Where registered-model records live: one ref per model. */
export const RECORDS_PREFIX = 'refs/ml/registry/';
/** Model versions are annotated tags `<encoded name>@v<N>` here. */
export const TAGS_PREFIX = 'refs/tags/';

export const MAX_MODEL_NAME = 256;
const MAX_ENCODED = 200;
const VERSION_TAG = /^(.+)@v([1-9]\d{0,8})$/;

/** MLflow accepts any non-empty text as a registered model name; git-ml refuses only control characters. */
export function validateModelName(name: unknown, field = 'name'): string {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new InvalidParameterError(`Registered model ${field} must be a non-empty string.`, { field });
  }
  if (name.length > MAX_MODEL_NAME) {
    throw new InvalidParameterError(`Registered model ${field} '${name.slice(0, 40)}…' is ${name.length} characters; the limit is ${MAX_MODEL_NAME}.`, { field });
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) {
    throw new InvalidParameterError(`Registered model ${field} ${JSON.stringify(name)} contains a control character; use printable text.`, { field });
  }
  return name;
}

/**
 * The ref-safe form of a model name: letters, digits, `_`, `-` and inner single dots stay; every
 * other byte of the UTF-8 text becomes `%XX`. Reversible (`decodeModelName`), never contains `/`, so
 * all of a repository's version tags sit in one flat `refs/tags/` directory. Very long names keep a
 * prefix plus `+h<sha1>`; their true name is in the records.
 */
export function encodeModelName(name: string): string {
  let out = '';
  const bytes = Buffer.from(name, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    const c = String.fromCharCode(b);
    const plain = /[A-Za-z0-9_-]/.test(c) || (c === '.' && i > 0 && i < bytes.length - 1 && bytes[i + 1] !== 0x2e && bytes[i - 1] !== 0x2e);
    out += plain && b < 0x80 ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (out.length > MAX_ENCODED) {
    out = `${out.slice(0, 150).replace(/%[0-9A-F]?$/, '')}+h${createHash('sha1').update(name).digest('hex')}`;
  }
  return out;
}

/** The name behind an encoding (null for the hashed form of a very long name: read it from the record). */
export function decodeModelName(encoded: string): string | null {
  if (encoded.includes('+h')) return null;
  try {
    return decodeURIComponent(encoded);
  } catch {
    return null;
  }
}

export function tagNameOf(model: string, version: number): string {
  return `${encodeModelName(model)}@v${version}`;
}

export function tagRefOf(model: string, version: number): string {
  return `${TAGS_PREFIX}${tagNameOf(model, version)}`;
}

export function recordRefOf(model: string): string {
  return `${RECORDS_PREFIX}${encodeModelName(model)}`;
}

/** `iris@v3` → { encoded: 'iris', version: 3 }; null for tags that are not model versions. */
export function parseVersionTag(tagName: string): { encoded: string; version: number } | null {
  const m = VERSION_TAG.exec(tagName);
  return m ? { encoded: m[1], version: Number(m[2]) } : null;
}

/** MLflow's alias rules: `^[\w\-]*$`, at most 255 characters, not `latest`, not `v<digits>`. */
export function validateAlias(alias: unknown): string {
  if (typeof alias !== 'string' || alias === '') {
    throw new InvalidParameterError('Registered model alias name cannot be empty.', { field: 'alias' });
  }
  if (!/^[\p{L}\p{N}\p{M}_-]*$/u.test(alias)) {
    throw new InvalidParameterError(`Invalid alias '${alias}': an alias may contain only letters, digits, '_' and '-'.`, { field: 'alias', alias });
  }
  if (alias.length > 255) {
    throw new InvalidParameterError(`Invalid alias '${alias.slice(0, 40)}…': at most 255 characters.`, { field: 'alias', alias });
  }
  if (alias.toLowerCase() === 'latest' || /^v\d+$/i.test(alias)) {
    throw new InvalidParameterError(`Alias '${alias}' is reserved ('latest' and 'v<digits>' name versions in model URIs); choose another name.`, { field: 'alias', alias });
  }
  return alias;
}

/** A version number from user input: a positive integer (MLflow passes versions as strings). */
export function parseVersion(v: unknown, field = 'version'): number {
  const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
  if (!/^[1-9]\d{0,8}$/.test(s)) {
    throw new InvalidParameterError(`Invalid ${field} '${String(v)}': a model version is a positive integer (1, 2, 3…).`, { field, value: v });
  }
  return Number(s);
}
