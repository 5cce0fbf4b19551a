import { useEffect, useState } from 'preact/hooks';

/**
 * The whole view state lives in the URL's hash (`#/experiments/1?filter=…&cols=…`), so a link to any
 * view can be pasted into a pull request and opens the same view. Hash routing also means the
 * server only ever serves index.html and assets.
 */
export interface Route {
  path: string[];
  params: URLSearchParams;
}

export function currentRoute(): Route {
  // split the raw hash first, then decode each path segment once; the query goes to URLSearchParams
  // as it is (decoding it twice would turn a filter's `LIKE '%ab'` into another character)
  const hash = location.hash.replace(/^#/, '') || '/';
  const q = hash.indexOf('?');
  const p = q < 0 ? hash : hash.slice(0, q);
  const query = q < 0 ? '' : hash.slice(q + 1);
  let path: string[];
  try {
    path = p.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    path = ['bad-link'];
  }
  return { path, params: new URLSearchParams(query) };
}

export function href(path: string[], params: Record<string, string | undefined | null> | URLSearchParams = {}): string {
  const p = params instanceof URLSearchParams ? params : new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '') as [string, string][]);
  const q = p.toString();
  return `#/${path.map(encodeURIComponent).join('/')}${q ? `?${q}` : ''}`;
}

export function navigate(to: string, replace = false): void {
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  dispatchEvent(new HashChangeEvent('hashchange'));
}

/** Changes some parameters of the current view (replacing the history entry unless `push`). */
export function setParams(patch: Record<string, string | undefined | null>, push = false): void {
  const r = currentRoute();
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined || v === null || v === '') r.params.delete(k);
    else r.params.set(k, v);
  }
  navigate(href(r.path, r.params), !push);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const on = () => setRoute(currentRoute());
    addEventListener('hashchange', on);
    addEventListener('popstate', on);
    return () => {
      removeEventListener('hashchange', on);
      removeEventListener('popstate', on);
    };
  }, []);
  return route;
}

/** A comma-separated list parameter. */
export function listParam(params: URLSearchParams, name: string): string[] {
  return (params.get(name) ?? '').split(',').filter(Boolean);
}
