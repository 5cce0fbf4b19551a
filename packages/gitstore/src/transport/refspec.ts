import { GitMlError } from '../errors.js';

/** One `[+]SRC:DST` refspec; a `*` in both sides matches any rest of a ref name (slashes included). */
export interface Refspec {
  force: boolean;
  src: string;
  dst: string;
}

export function parseRefspec(spec: string): Refspec {
  const force = spec.startsWith('+');
  const body = force ? spec.slice(1) : spec;
  const colon = body.indexOf(':');
  const src = colon < 0 ? body : body.slice(0, colon);
  const dst = colon < 0 ? body : body.slice(colon + 1);
  const stars = (s: string) => s.split('*').length - 1;
  if (!src || !dst || stars(src) > 1 || stars(src) !== stars(dst)) {
    throw new GitMlError('INVALID_REFSPEC', `Invalid refspec "${spec}": write [+]SRC:DST with full ref names and at most one * on each side.`, { spec });
  }
  return { force, src, dst };
}

/** The destination `ref` maps to under `spec`, or null when the spec does not match it. */
export function mapRef(spec: Refspec, ref: string): string | null {
  const star = spec.src.indexOf('*');
  if (star < 0) return ref === spec.src ? spec.dst : null;
  const head = spec.src.slice(0, star);
  const tail = spec.src.slice(star + 1);
  if (ref.length < head.length + tail.length || !ref.startsWith(head) || !ref.endsWith(tail)) return null;
  return spec.dst.replace('*', ref.slice(head.length, ref.length - tail.length));
}

/**
 * `git ls-remote`'s pattern test: a pattern matches the tail of a ref at a `/` boundary
 * (`main` matches `refs/heads/main`), with `*` and `?` as wildcards that also match `/`.
 */
export function tailMatches(pattern: string, ref: string): boolean {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^.*/${body}$`, 's').test(`/${ref}`);
}
