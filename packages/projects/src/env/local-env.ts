import { existsSync } from 'node:fs';
import { join } from 'node:path';
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

/** `--env-manager local`: the launcher's own environment, unchanged. */
export function localEnvironment(projectDir: string): PreparedEnvironment {
  return { manager: 'local', path: [], vars: {}, runners: scriptRunners(process.env.PATH ?? '', projectDir), dir: null, reused: false };
}
