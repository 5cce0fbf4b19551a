import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { EnvironmentBuildError, EnvironmentUnavailableError } from '../errors.js';
import type { OutputSink } from '../output.js';
import { cachedEnvironment, environmentHash } from './env-cache.js';
import type { PreparedEnvironment } from './environment.js';
import { scriptRunners } from './local-env.js';
import { lastLines, runTool } from './run-tool.js';

const LOCKFILES = ['npm-shrinkwrap.json', 'package-lock.json'];

/** The package.json a node_env names (a file, or a directory holding one) and its lockfile. */
function manifest(projectDir: string, spec: string): { pkg: string; lock: string; npmrc: string | null } {
  const given = resolve(projectDir, spec);
  const pkg = existsSync(given) && statSync(given).isDirectory() ? join(given, 'package.json') : given;
  if (!existsSync(pkg)) throw new EnvironmentBuildError(`node_env: ${pkg} does not exist. Point node_env at the project's package.json.`, { file: pkg });
  const lock = LOCKFILES.map((n) => join(dirname(pkg), n)).find((f) => existsSync(f));
  if (!lock) {
    throw new EnvironmentBuildError(`node_env needs a lockfile next to ${pkg} (package-lock.json) so every run installs the same versions: run \`npm install\` there and commit the lockfile.`, { file: pkg });
  }
  const npmrc = join(dirname(pkg), '.npmrc');
  return { pkg, lock, npmrc: existsSync(npmrc) ? npmrc : null };
}

/**
 * A node_env: `npm ci` of the project's package.json and lockfile into a cached directory keyed by
 * their contents, Node's major version and the platform. The project's processes find the packages
 * through PATH (`node_modules/.bin`), NODE_PATH (require) and an `--import` resolution hook (import).
 */
export async function nodeEnvironment(envsRoot: string, projectDir: string, spec: string, sink: OutputSink, onWait?: (m: string) => void): Promise<PreparedEnvironment> {
  const m = manifest(projectDir, spec);
  const read = (f: string | null) => (f ? readFileSync(f, 'utf8') : null);
  const describe = { kind: 'node', node: process.versions.modules, platform: process.platform, arch: process.arch };
  const hash = environmentHash({ ...describe, pkg: read(m.pkg), lock: read(m.lock), npmrc: read(m.npmrc) });
  const { dir, reused } = await cachedEnvironment(
    envsRoot,
    `node-${hash}`,
    describe,
    async (target) => {
      mkdirSync(target, { recursive: true });
      copyFileSync(m.pkg, join(target, 'package.json'));
      copyFileSync(m.lock, join(target, basename(m.lock)));
      if (m.npmrc) copyFileSync(m.npmrc, join(target, '.npmrc'));
      sink.err(`git-ml: creating node environment ${target} (npm ci)\n`);
      const r = await runTool('npm', ['ci', '--no-audit', '--no-fund'], { cwd: target, sink });
      if (r.spawnError) throw new EnvironmentUnavailableError('node_env needs npm, but it is not on PATH. Install Node.js with npm, or run with --env-manager local.', {});
      if (r.status !== 0) {
        throw new EnvironmentBuildError(`npm ci failed (exit ${r.status}) for node_env ${spec}: ${lastLines(r.tail)}. Check that the lockfile matches package.json and the registry is reachable.`, { tail: r.tail });
      }
    },
    onWait,
  );
  const modules = join(dir, 'node_modules');
  const register = new URL('./node-register.js', import.meta.url).href;
  const nodeOptions = [process.env.NODE_OPTIONS, `--import=${register}`].filter(Boolean).join(' ');
  const bin = join(modules, '.bin');
  return {
    manager: 'node',
    path: [bin],
    vars: { NODE_PATH: [modules, process.env.NODE_PATH].filter(Boolean).join(':'), NODE_OPTIONS: nodeOptions, GIT_ML_NODE_MODULES: modules },
    runners: scriptRunners(`${bin}:${process.env.PATH ?? ''}`, projectDir),
    dir,
    reused,
  };
}
