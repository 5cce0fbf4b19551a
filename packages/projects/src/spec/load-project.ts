import { existsSync, readFileSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { findMlprojectFile } from './find-mlproject.js';
import { parseMlproject } from './parse-mlproject.js';
import type { EnvironmentSpec, ProjectSpec } from './project.js';

/** How a path is shown in messages: relative to the current directory when inside it. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/** MLflow's conventions for a directory without an MLproject: `python_env.yaml`, then `conda.yaml`. */
function conventionalEnvironment(dir: string): EnvironmentSpec {
  if (existsSync(join(dir, 'python_env.yaml'))) return { kind: 'python', file: 'python_env.yaml' };
  for (const name of ['conda.yaml', 'conda.yml']) if (existsSync(join(dir, name))) return { kind: 'conda', file: name };
  return { kind: 'none' };
}

/**
 * Reads the project in `dir`: its MLproject file (found case-insensitively and validated against
 * `mlprojectJsonSchema`), or MLflow's conventions when there is none (then only files can be run).
 * `label` names the file in error messages instead of its path (given the file's name, e.g. for a
 * temporary checkout: `(name) => \`${uri}#${name}\``).
 *
 * ```ts
 * const project = loadProject('.');
 * Object.keys(project.entryPoints); // ['main', 'validate']
 * ```
 */
export function loadProject(dir: string, label?: (fileName: string) => string): ProjectSpec {
  const abs = resolve(dir);
  const file = findMlprojectFile(abs);
  if (!file) return { dir: abs, file: null, name: null, entryPoints: {}, environment: conventionalEnvironment(abs), warnings: [] };
  return parseMlproject(readFileSync(file, 'utf8'), label ? label(basename(file)) : displayPath(file), abs, file);
}
