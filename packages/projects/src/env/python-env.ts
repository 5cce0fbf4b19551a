import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseDocument, isSeq } from 'yaml';
import { EnvironmentBuildError, EnvironmentUnavailableError } from '../errors.js';
import type { OutputSink } from '../output.js';
import { scalarText } from '../spec/yaml-locate.js';
import { cachedEnvironment, environmentHash } from './env-cache.js';
import type { PreparedEnvironment } from './environment.js';
import { scriptRunners } from './local-env.js';
import { lastLines, runTool } from './run-tool.js';
import { which } from './which.js';

/** MLflow's python_env.yaml: the Python version, then pip requirements. */
export interface PythonEnvSpec {
  python: string | null;
  buildDependencies: string[];
  dependencies: string[];
}

/** Reads a python_env.yaml; `python: 3.10` keeps its spelling (YAML would make it 3.1). */
export function readPythonEnv(file: string): PythonEnvSpec {
  const text = readFileSync(file, 'utf8');
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new EnvironmentBuildError(`${file} is not valid YAML: ${doc.errors[0].message.split('\n')[0]}`, { file });
  const list = (key: string): string[] => {
    const node = doc.get(key, true);
    if (node === undefined || node === null) return [];
    if (!isSeq(node)) throw new EnvironmentBuildError(`${file}: ${key} must be a list of pip requirements.`, { file, field: key });
    return node.items.map((i) => String((i as { value?: unknown }).value ?? i));
  };
  const py = doc.get('python', true);
  return { python: scalarText((py ?? null) as never, text) ?? null, buildDependencies: list('build_dependencies'), dependencies: list('dependencies') };
}

function versionOf(python: string): string | null {
  try {
    return execFileSync(python, ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/** An interpreter on PATH whose version starts with `wanted` (`3.11`, `3.11.7`), or any python3 when null. */
export function findPython(wanted: string | null): { path: string; version: string } {
  const [maj, min] = (wanted ?? '').split('.');
  const names = [min !== undefined ? `python${maj}.${min}` : null, 'python3', 'python'].filter((n): n is string => n !== null);
  const seen: string[] = [];
  for (const name of names) {
    const path = which(name);
    const version = path ? versionOf(path) : null;
    if (!path || !version) continue;
    if (!wanted || version === wanted || version.startsWith(`${wanted}.`)) return { path, version };
    seen.push(`${name} ${version}`);
  }
  throw new EnvironmentUnavailableError(
    `python_env asks for Python ${wanted ?? '3'}, but ${seen.length > 0 ? `PATH only has ${seen.join(', ')}` : 'no python3 is on PATH'}. ` +
      `Install it (e.g. \`pyenv install ${wanted ?? '3.12'}\` or your OS package) and put it on PATH, or run with --env-manager local.`,
    { wanted },
  );
}

/** True when `python` has a pip (22.3 or later) that can install into another environment with `--python`. */
function pipTargetsOtherPythons(python: string): boolean {
  try {
    const v = execFileSync(python, ['-c', 'import importlib.metadata as m; print(m.version("pip"))'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const [major, minor] = v.split('.').map(Number);
    return major > 22 || (major === 22 && minor >= 3);
  } catch {
    return false;
  }
}

/** Requirement lines that name files (`-r requirements.txt`): their contents belong in the hash. */
function referencedFiles(deps: string[], projectDir: string): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const d of deps) {
    const m = /^(?:-r|--requirement)[\s=]+(.+)$/.exec(d.trim());
    if (m) out[m[1]] = existsSync(resolve(projectDir, m[1])) ? readFileSync(resolve(projectDir, m[1]), 'utf8') : null;
  }
  return out;
}

function pipArgs(deps: string[]): string[] {
  return deps.flatMap((d) => {
    const m = /^(-r|--requirement|-c|--constraint)[\s=]+(.+)$/.exec(d.trim());
    return m ? [m[1], m[2]] : [d];
  });
}

/**
 * A python_env: `python -m venv` with the requested interpreter, then `pip install` of the build
 * dependencies and dependencies, cached under a hash of the interpreter version, the requirement
 * list (and files it references) and the platform. `spec` null means: no file, an empty venv.
 */
export async function pythonEnvironment(envsRoot: string, projectDir: string, spec: PythonEnvSpec, sink: OutputSink, onWait?: (m: string) => void): Promise<PreparedEnvironment> {
  const python = findPython(spec.python);
  const deps = [...spec.buildDependencies, ...spec.dependencies];
  const describe = { kind: 'virtualenv', python: python.version, platform: process.platform, arch: process.arch };
  const hash = environmentHash({ ...describe, build: spec.buildDependencies, deps: spec.dependencies, files: referencedFiles(deps, projectDir) });
  const { dir, reused } = await cachedEnvironment(
    envsRoot,
    `virtualenv-${hash}`,
    describe,
    async (target) => {
      sink.err(`git-ml: creating virtualenv ${target} (Python ${python.version})\n`);
      // Seeding pip into a venv (ensurepip) costs seconds of CPU; the interpreter's own pip installs
      // into the venv just as well with --python, so the venv is seeded only when that pip is missing or too old.
      const hostPip = deps.length > 0 && pipTargetsOtherPythons(python.path);
      const venv = await runTool(python.path, ['-m', 'venv', ...(deps.length === 0 || hostPip ? ['--without-pip'] : []), target], { sink });
      if (venv.status !== 0) throw new EnvironmentBuildError(`python -m venv failed (exit ${venv.status}): ${lastLines(venv.tail)}. On Debian/Ubuntu install python3-venv.`, { tail: venv.tail });
      const venvPython = join(target, 'bin', 'python');
      const [pipFile, pipPrefix] = hostPip ? [python.path, ['-m', 'pip', '--python', venvPython]] : [venvPython, ['-m', 'pip']];
      for (const group of [spec.buildDependencies, spec.dependencies]) {
        if (group.length === 0) continue;
        const pip = await runTool(pipFile, [...pipPrefix, 'install', '--disable-pip-version-check', ...pipArgs(group)], { cwd: projectDir, sink });
        if (pip.status !== 0) {
          throw new EnvironmentBuildError(
            `pip install failed (exit ${pip.status}) for python_env dependencies ${group.join(', ')}: ${lastLines(pip.tail)}. ` +
              'Check that the packages and versions exist and that your package index is reachable (pip.conf, PIP_INDEX_URL); the partial environment was removed.',
            { tail: pip.tail, dependencies: group },
          );
        }
      }
    },
    onWait,
  );
  const bin = join(dir, 'bin');
  return {
    manager: 'virtualenv',
    path: [bin],
    vars: { VIRTUAL_ENV: dir, PYTHONHOME: null },
    runners: scriptRunners(`${bin}:${process.env.PATH ?? ''}`, projectDir),
    dir,
    reused,
  };
}
