import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { delimiter, join, relative, resolve } from 'node:path';
import semver from 'semver';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI_DIR, cleanEnv, git, NO_MAN, tempDir, tempRepo } from './harness.js';

// `npm pack` of every publishable workspace, installed with plain `npm install ./x.tgz …` into an empty
// project outside the monorepo, then used as a user would. Third-party dependencies come from the npm
// registry (from npm's cache when it has them: --prefer-offline); @git-ml/* only from the tarballs.
// About 10 s here; most of it is `npm install`.

const ROOT = resolve(CLI_DIR, '..', '..');
const rootPkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[]; engines: { node: string } };

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  description?: string;
  license?: string;
  type?: string;
  files?: string[];
  engines?: { node?: string };
  bin?: Record<string, string>;
  man?: string[];
  exports?: Record<string, string | Record<string, string>>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}
interface Packed {
  name: string;
  filename: string;
  files: { path: string }[];
}

const workspaces = rootPkg.workspaces.map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as Manifest }));
const published = workspaces.filter((w) => !w.pkg.private);
const VERSION = published.find((w) => w.pkg.name === 'git-ml')!.pkg.version;
/** onnxruntime-node (its dependency) is a ~200 MB native package: packed and checked, not installed here. */
const NOT_INSTALLED = new Set(['@git-ml/flavor-onnx']);

/** npm's environment without what an enclosing `npm test` passes down (npm_config_* would configure the child npm). */
function npmEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = cleanEnv(extra);
  for (const k of Object.keys(env)) if (/^npm_/i.test(k)) delete env[k];
  return env;
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = npmEnv()): { stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

let packed: Packed[];
let project: string;
let installLog: string;

beforeAll(() => {
  const dest = tempDir('git-ml-tarballs-');
  project = realpathSync(tempDir('git-ml-consumer-'));
  expect(relative(ROOT, project).startsWith('..'), `${project} must be outside the monorepo`).toBe(true);
  // what docs/install.md tells users to run (`npm run tarballs -- DEST`), minus the build vitest's caller did
  packed = JSON.parse(run(process.execPath, [join(ROOT, 'scripts', 'pack-tarballs.mjs'), dest], ROOT).stdout) as Packed[];
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const tarballs = packed.filter((p) => !NOT_INSTALLED.has(p.name)).map((p) => join(dest, p.filename));
  const r = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...tarballs], project);
  installLog = r.stdout + r.stderr;
}, 180_000);

describe('npm pack of the workspaces', () => {
  it('packs every published workspace, each publish-ready: files, exports, bin, man, version, peer ranges, README, LICENSE', () => {
    expect(packed.map((p) => p.name).sort()).toEqual(published.map((w) => w.pkg.name).sort());
    const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    for (const { dir, pkg } of published) {
      const files = new Set(packed.find((p) => p.name === pkg.name)!.files.map((f) => f.path));
      const where = `${dir}/package.json`;
      expect(pkg.version, where).toBe(VERSION);
      expect(pkg.license, where).toBe('MIT');
      expect(pkg.type, where).toBe('module');
      expect(pkg.description, where).toBeTruthy();
      expect(pkg.engines?.node, where).toBe(rootPkg.engines.node);
      expect(pkg.files?.length, `${where}: "files"`).toBeGreaterThan(0);
      for (const f of ['package.json', 'README.md', 'LICENSE']) expect(files.has(f), `${pkg.name} tarball lacks ${f}`).toBe(true);
      expect(readFileSync(join(ROOT, dir, 'LICENSE'), 'utf8'), `${dir}/LICENSE`).toBe(license);
      expect([...files].filter((f) => /(^|\/)test\/|\.test\.|^src\//.test(f)), `${pkg.name} ships tests or sources`).toEqual([]);
      // every exports target, bin and man page is in the tarball
      expect(pkg.exports?.['./package.json'], `${where}: exports "./package.json"`).toBe('./package.json');
      const targets = Object.values(pkg.exports ?? {}).flatMap((t) => (typeof t === 'string' ? [t] : Object.values(t)));
      expect(targets.length, `${where}: exports`).toBeGreaterThan(1);
      for (const t of [...targets, ...Object.values(pkg.bin ?? {}), ...(pkg.man ?? [])]) expect(files.has(t.replace(/^\.\//, '')), `${pkg.name}: ${t} is not in the tarball`).toBe(true);
      for (const b of Object.values(pkg.bin ?? {})) expect(readFileSync(join(ROOT, dir, b), 'utf8'), `${dir}/${b}`).toMatch(/^#!\/usr\/bin\/env node\n/);
      // the packages of one release depend on each other exactly, and on no private workspace
      for (const [dep, range] of Object.entries(pkg.dependencies ?? {})) {
        const ws = workspaces.find((w) => w.pkg.name === dep);
        if (!ws) continue;
        expect(ws.pkg.private, `${where} depends on private ${dep}`).toBeFalsy();
        expect(range, `${where}: dependency ${dep}`).toBe(VERSION);
      }
      // plugins take the core as a peer, with a caret range (a patch release of the core keeps them working)
      for (const [dep, range] of Object.entries(pkg.peerDependencies ?? {})) expect(range, `${where}: peer ${dep}`).toBe(`^${VERSION}`);
    }
    expect(published.find((w) => w.pkg.name === 'git-ml')!.pkg.bin).toEqual({ 'git-ml': './bin/git-ml.js' });
  });

  it('installs into an empty project with plain `npm install ./*.tgz`: @git-ml/* from the tarballs, no npm warnings', () => {
    expect(installLog).not.toMatch(/EBADENGINE|ERESOLVE|Unknown (project|env|user) config|deprecated/);
    expect(installLog.split('\n').filter((l) => l.startsWith('npm warn'))).toEqual([]);
    const lock = JSON.parse(readFileSync(join(project, 'package-lock.json'), 'utf8')) as { packages: Record<string, { resolved?: string }> };
    for (const p of packed.filter((x) => !NOT_INSTALLED.has(x.name))) {
      expect(lock.packages[`node_modules/${p.name}`]?.resolved, p.name).toMatch(new RegExp(`^file:.*${p.filename.replace(/\./g, '\\.')}$`));
    }
    expect(existsSync(join(project, 'node_modules', '.bin', 'git-ml'))).toBe(true);
  });

  it('every dependency, here and in the installed project, runs on the oldest Node the packages declare (no EBADENGINE there either)', () => {
    const oldest = semver.minVersion(rootPkg.engines.node)!.version;
    expect(oldest).toBe('20.19.0');
    for (const dir of [ROOT, project]) {
      const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as { packages: Record<string, { engines?: { node?: string } | string[] }> };
      const refuse = Object.entries(lock.packages)
        .filter(([, p]) => p.engines && !Array.isArray(p.engines) && p.engines.node && !semver.satisfies(oldest, p.engines.node))
        .map(([k, p]) => `${k} (node ${(p.engines as { node: string }).node})`);
      expect(refuse, `${dir}/package-lock.json`).toEqual([]);
    }
  });

  it('the SDK imports from the installed package and logs a run into a git repository', () => {
    const repo = tempRepo();
    writeFileSync(
      join(project, 'log.mjs'),
      `import { MlClient } from '@git-ml/tracking';
const client = new MlClient({ repo: process.argv[2] });
const run = client.createRun(client.createExperiment('consumer'), { runName: 'from-tarball' });
client.logBatch(run.info.run_id, { params: { lr: 0.1 } });
client.logMetric(run.info.run_id, 'loss', 0.25, { step: 1 });
client.setTerminated(run.info.run_id);
client.close();
console.log(JSON.stringify({ id: run.info.run_id, from: import.meta.resolve('@git-ml/tracking') }));
`,
    );
    const out = JSON.parse(run(process.execPath, ['log.mjs', repo], project, cleanEnv()).stdout) as { id: string; from: string };
    expect(out.from.startsWith(`file://${project}/node_modules/@git-ml/tracking/`), out.from).toBe(true);
    expect(git(repo, 'for-each-ref', '--format=%(refname)', 'refs/ml/runs')).toMatch(new RegExp(`^refs/ml/runs/\\d+/${out.id}$`, 'm'));
    // read back by the installed CLI
    const shown = JSON.parse(run('npx', ['git-ml', 'runs', 'show', out.id, '--json', '--repo', repo], project).stdout);
    expect(shown.run.info.status).toBe('FINISHED');
    expect(shown.run.data.metrics).toEqual([expect.objectContaining({ key: 'loss', value: 0.25, step: 1 })]);
  });

  it('`npx git-ml --help` runs, and `git ml --help` finds the man page of the installed package', () => {
    const help = run('npx', ['git-ml', '--help'], project).stdout;
    expect(help).toMatch(/^Usage: git-ml \[options\] \[command\]\n/);
    expect(run('npx', ['git-ml', '--version'], project).stdout).toBe(`${VERSION}\n`);
    if (NO_MAN) return console.warn(`skipped \`git ml --help\`: ${NO_MAN}`);
    const env = npmEnv({ PATH: `${join(project, 'node_modules', '.bin')}${delimiter}${process.env.PATH}`, MANPATH: `${join(project, 'node_modules', 'git-ml', 'man')}:`, MANPAGER: 'cat', PAGER: 'cat', MANWIDTH: '80' });
    const man = execFileSync('git', ['ml', '--help'], { cwd: project, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(man).toMatch(/^GIT-ML\(1\)/);
  });

  it('finds a flavor plugin by name: a model saved with @git-ml/flavor-linear predicts through the installed CLI', () => {
    writeFileSync(
      join(project, 'save.mjs'),
      `import { saveModel } from '@git-ml/models';
import { fitLinearRegression, flavor } from '@git-ml/flavor-linear';
await saveModel(fitLinearRegression([[0], [1], [2], [3]], [1, 3, 5, 7]), process.argv[2], {
  flavor,
  signature: { inputs: [{ type: 'double', name: 'x', required: true }] },
});
`,
    );
    const model = join(tempDir(), 'model');
    run(process.execPath, ['save.mjs', model], project, cleanEnv());
    expect(readFileSync(join(model, 'MLmodel'), 'utf8')).toMatch(/^ {2}git_ml_linear:/m);
    writeFileSync(join(project, 'in.json'), JSON.stringify({ dataframe_records: [{ x: 4 }, { x: 10 }] }));
    // the CLI never imports a flavor itself: loadModel imports '@git-ml/flavor-linear' by name, from this project
    const out = JSON.parse(run('npx', ['git-ml', 'models', 'predict', '-m', model, '-i', 'in.json'], project).stdout) as { predictions: number[] };
    expect(out.predictions.map((v) => Math.round(v * 1e6) / 1e6)).toEqual([9, 21]);
  });
});
