import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ScriptRunners } from '../launch/entry-point.js';
import { shellQuote } from '../launch/shell-quote.js';
import type { PreparedEnvironment } from './environment.js';
import { which } from './which.js';

/** True when this Node version strips TypeScript types itself (`--experimental-strip-types`, Node ≥ 22.6). */
export function nodeStripsTypes(version = process.versions.node): boolean {
  const [major, minor] = version.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 6);
}

/**
 * How scripts run with this PATH: `python` (else `python3`), `bash` (else `sh`), `node`, and for
 * TypeScript `node --experimental-strip-types` on Node ≥ 22.6, else `tsx` from the project's
 * `node_modules/.bin` or PATH, else null (a `.ts` entry point then fails with what to install).
 */
export function scriptRunners(pathEnv: string, projectDir: string, nodeVersion = process.versions.node): ScriptRunners {
  const localTsx = join(projectDir, 'node_modules', '.bin', 'tsx');
  const typescript = nodeStripsTypes(nodeVersion)
    ? 'node --experimental-strip-types'
    : existsSync(localTsx)
      ? shellQuote(localTsx)
      : which('tsx', pathEnv)
        ? 'tsx'
        : null;
  return {
    python: which('python', pathEnv) ? 'python' : 'python3',
    shell: which('bash', pathEnv) ? 'bash' : 'sh',
    node: which('node', pathEnv) ? 'node' : shellQuote(process.execPath),
    typescript,
  };
}

/** The `node_modules` git-ml itself was installed in: the nearest one above this file that holds `@git-ml`. */
export function launcherNodeModules(from = fileURLToPath(import.meta.url)): string | null {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules');
    if (existsSync(join(candidate, '@git-ml'))) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

/**
 * `--env-manager local`: the launcher's own environment. For Node projects that includes the
 * packages installed beside git-ml: a bare import the project's own directories cannot resolve
 * (a project checked out into a temporary directory has no `node_modules`) is resolved from there,
 * through the same resolution hook node_env uses — the way Python's `local` uses site-packages.
 */
export function localEnvironment(projectDir: string): PreparedEnvironment {
  const modules = launcherNodeModules();
  const vars: Record<string, string> = {};
  if (modules) {
    const register = new URL('./node-register.js', import.meta.url).href;
    vars.NODE_OPTIONS = [process.env.NODE_OPTIONS, `--import=${register}`].filter(Boolean).join(' ');
    vars.GIT_ML_NODE_MODULES = modules;
  }
  return { manager: 'local', path: [], vars, runners: scriptRunners(process.env.PATH ?? '', projectDir), dir: null, reused: false };
}
