import { existsSync, statSync } from 'node:fs';
import { extname, isAbsolute, relative, resolve } from 'node:path';
import { EntryPointNotFoundError, EnvironmentUnavailableError } from '../errors.js';
import { shellQuote } from './shell-quote.js';
import type { EntryPointSpec, ProjectSpec } from '../spec/project.js';

/** File types that run as an entry point without an MLproject declaring them. */
export const SCRIPT_EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts', '.py', '.sh'] as const;

/** An entry point declared in the MLproject, or a file of the project run directly. */
export type EntryPoint = { kind: 'declared'; spec: EntryPointSpec } | { kind: 'file'; name: string; file: string; extension: string };

/** Shell words that run each kind of script (`python3`, `bash`, `node`, `tsx`, …), chosen for the environment. */
export interface ScriptRunners {
  python: string;
  shell: string;
  node: string;
  /** null when this environment cannot run TypeScript (Node < 22.6 and no tsx) */
  typescript: string | null;
}

/** The declared entry point of that name, else a runnable file of the project, else a clear error. */
export function findEntryPoint(project: ProjectSpec, name: string): EntryPoint {
  const declared = project.entryPoints[name];
  if (declared) return { kind: 'declared', spec: declared };
  const extension = extname(name).toLowerCase();
  const abs = resolve(project.dir, name);
  const rel = relative(project.dir, abs);
  const inside = rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  if ((SCRIPT_EXTENSIONS as readonly string[]).includes(extension) && inside && existsSync(abs) && statSync(abs).isFile()) {
    return { kind: 'file', name, file: rel.split('\\').join('/'), extension };
  }
  const names = Object.keys(project.entryPoints);
  const where = project.file ? `the MLproject declares ${names.length > 0 ? names.map((n) => `'${n}'`).join(', ') : 'no entry points'}` : `${project.dir} has no MLproject`;
  const why = (SCRIPT_EXTENSIONS as readonly string[]).includes(extension)
    ? inside
      ? `there is no file ${name} in the project`
      : `${name} is outside the project directory`
    : `it is not a ${SCRIPT_EXTENSIONS.join(' / ')} file to run directly`;
  throw new EntryPointNotFoundError(`Unknown entry point '${name}': ${where}, and ${why}. Pick one with -e NAME (or -e path/to/script.py).`, {
    entry_point: name,
    declared: names,
  });
}

/** The entry point as a spec: a declared one as is, a file as `<runner> <file>` with no declared parameters. */
export function entryPointSpec(entry: EntryPoint, runners: ScriptRunners): EntryPointSpec {
  if (entry.kind === 'declared') return entry.spec;
  const runner =
    entry.extension === '.py' ? runners.python : entry.extension === '.sh' ? runners.shell : entry.extension === '.ts' ? runners.typescript : runners.node;
  if (runner === null) {
    throw new EnvironmentUnavailableError(
      `Running ${entry.file} needs Node >= 22.6 (it strips TypeScript types) or tsx, but this is Node ${process.versions.node} and no tsx is in the project's node_modules/.bin or on PATH. ` +
        'Install it with `npm i -D tsx` (or list tsx in a node_env), or compile to .js first.',
      { entry_point: entry.name },
    );
  }
  // the command is a template: braces in the file name are doubled so they stay literal
  return { name: entry.name, command: `${runner} ${shellQuote(entry.file)}`.replace(/[{}]/g, (b) => b + b), parameters: {} };
}
