/**
 * Module resolution hook loaded into a node_env project's processes: a bare import that the
 * project's own directories cannot resolve is resolved from the cached environment's
 * `node_modules`, so the project runs without a `node_modules` in its directory.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

let fallbackParent = '';

export function initialize(data: { modules: string }): void {
  fallbackParent = pathToFileURL(join(data.modules, '..', 'package.json')).href;
}

type Resolve = (specifier: string, context: { parentURL?: string }) => Promise<unknown>;

export async function resolve(specifier: string, context: { parentURL?: string }, next: Resolve): Promise<unknown> {
  try {
    return await next(specifier, context);
  } catch (err) {
    const bare = !/^(?:\.{0,2}\/|[a-z][a-z0-9+.-]*:)/i.test(specifier);
    if (!bare || !fallbackParent || (err as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    try {
      return await next(specifier, { ...context, parentURL: fallbackParent });
    } catch {
      throw err;
    }
  }
}
