/**
 * Environments: cached virtualenvs and node_modules under .git/ml/envs keyed by what defines them,
 * clear errors when conda, Docker or a Python version is missing or an install fails, and the
 * `docker run` command a docker_env project gets.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { dockerRunArgv, runProject } from '@git-ml/projects';
import { closeClients, makeRepo, openClient, removeTempDirs, runRefs, tempDir } from '@git-ml/test-support';
import { commitFiles, quiet, rejection, tagOf, writeFiles } from './fixtures.js';

afterEach(closeClients);
afterAll(removeTempDirs);

const envsOf = (repo: string) => (existsSync(join(repo, '.git', 'ml', 'envs')) ? readdirSync(join(repo, '.git', 'ml', 'envs')) : []);
const pythonVersion = execFileSync('python3', ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' }).trim();
const has = (cmd: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const dockerEngineUp = (() => {
  try {
    execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], { stdio: 'ignore', timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
})();

describe('python_env', () => {
  it('creates a virtualenv under .git/ml/envs once and reuses it; the command runs with its python', async () => {
    const repo = makeRepo();
    commitFiles(repo, {
      MLproject: 'python_env: python_env.yaml\nentry_points:\n  main:\n    command: python -c "import sys; print(sys.prefix)"\n',
      'python_env.yaml': `python: ${pythonVersion}\nbuild_dependencies: []\ndependencies: []\n`,
    });
    const q = quiet();
    const first = await runProject({ uri: repo, repo, ...q });
    expect(first.status, q.sink.stderr).toBe('FINISHED');
    expect(first.envManager).toBe('virtualenv');
    expect(first.environment.reused).toBe(false);
    const [env] = envsOf(repo).filter((e) => !e.endsWith('.lock'));
    expect(env).toMatch(/^virtualenv-[0-9a-f]{16}$/);
    expect(q.sink.stdout.trim()).toBe(join(repo, '.git', 'ml', 'envs', env));
    const second = await runProject({ uri: repo, repo, ...quiet() });
    expect(second.environment).toEqual({ dir: join(repo, '.git', 'ml', 'envs', env), reused: true });
    expect(tagOf(openClient(repo).getRun(second.runId), 'mlflow.project.env')).toBe('virtualenv');
  });

  it('installs the dependencies into the venv, not into the interpreter that built it (offline, from a local wheel)', async () => {
    // a minimal pure-Python wheel, so pip needs no index
    const wheels = tempDir();
    const wheel = join(wheels, 'gitmltoy-0.1-py3-none-any.whl');
    execFileSync('python3', ['-c', `import zipfile, sys
with zipfile.ZipFile(sys.argv[1], 'w') as z:
    z.writestr('gitmltoy/__init__.py', 'X = 42\\n')
    z.writestr('gitmltoy-0.1.dist-info/METADATA', 'Metadata-Version: 2.1\\nName: gitmltoy\\nVersion: 0.1\\n')
    z.writestr('gitmltoy-0.1.dist-info/WHEEL', 'Wheel-Version: 1.0\\nGenerator: git-ml-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n')
    z.writestr('gitmltoy-0.1.dist-info/RECORD', 'gitmltoy/__init__.py,,\\ngitmltoy-0.1.dist-info/METADATA,,\\ngitmltoy-0.1.dist-info/WHEEL,,\\ngitmltoy-0.1.dist-info/RECORD,,\\n')
`, wheel]);
    const repo = makeRepo();
    commitFiles(repo, {
      MLproject: 'python_env: python_env.yaml\nentry_points:\n  main:\n    command: python -c "import gitmltoy, sys; print(gitmltoy.X, sys.prefix)"\n',
      'python_env.yaml': `python: "${pythonVersion}"\ndependencies:\n  - ${wheel}\n`,
    });
    const saved = process.env.PIP_NO_INDEX;
    process.env.PIP_NO_INDEX = '1';
    try {
      const q = quiet();
      const r = await runProject({ uri: repo, repo, ...q });
      expect(r.status, q.sink.stderr).toBe('FINISHED');
      expect(q.sink.stdout.trim()).toBe(`42 ${r.environment.dir}`);
    } finally {
      if (saved === undefined) delete process.env.PIP_NO_INDEX;
      else process.env.PIP_NO_INDEX = saved;
    }
    const outside = spawnSync('python3', ['-c', 'import gitmltoy'], { cwd: tempDir(), encoding: 'utf8' });
    expect(outside.stderr).toMatch(/No module named 'gitmltoy'/);
  });

  it('explains a failed dependency install, removes the partial environment and creates no run', async () => {
    const repo = makeRepo();
    commitFiles(repo, {
      MLproject: 'python_env: python_env.yaml\nentry_points: {main: {command: python -V}}\n',
      'python_env.yaml': `python: "${pythonVersion}"\ndependencies:\n  - git-ml-no-such-package==1.0\n`,
    });
    const saved = process.env.PIP_NO_INDEX;
    process.env.PIP_NO_INDEX = '1'; // no network in tests: fail at once instead of retrying an index
    try {
      const e = await rejection(runProject({ uri: repo, repo, ...quiet() }));
      expect(e.code).toBe('ENVIRONMENT_BUILD_FAILED');
      expect(e.message).toMatch(/^pip install failed \(exit 1\) for python_env dependencies git-ml-no-such-package==1\.0: .*No matching distribution found for git-ml-no-such-package==1\.0.* Check that the packages and versions exist/);
    } finally {
      if (saved === undefined) delete process.env.PIP_NO_INDEX;
      else process.env.PIP_NO_INDEX = saved;
    }
    expect(envsOf(repo)).toEqual([]);
    expect(runRefs(repo).size).toBe(0);
  }, 30_000);

  it('names the Python version it could not find', async () => {
    const repo = makeRepo();
    commitFiles(repo, { MLproject: 'python_env: p.yaml\nentry_points: {main: {command: python -V}}\n', 'p.yaml': 'python: "2.6"\n' });
    const e = await rejection(runProject({ uri: repo, repo, ...quiet() }));
    expect(e.code).toBe('ENVIRONMENT_UNAVAILABLE');
    expect(e.message).toMatch(/^python_env asks for Python 2\.6, but PATH only has .*Install it .* or run with --env-manager local\.$/);
  });

  it('runs in the current environment with --env-manager local, and refuses a manager that does not fit', async () => {
    const repo = makeRepo();
    commitFiles(repo, { MLproject: 'python_env: p.yaml\nentry_points: {main: {command: echo here}}\n', 'p.yaml': 'python: "2.6"\n' });
    const q = quiet();
    const r = await runProject({ uri: repo, repo, envManager: 'local', ...q });
    expect([r.status, q.sink.stdout, r.envManager]).toEqual(['FINISHED', 'here\n', 'local']);
    const e = await rejection(runProject({ uri: repo, repo, envManager: 'docker', ...quiet() }));
    expect(e.message).toBe('--env-manager docker does not fit this project: it declares python_env. Use --env-manager virtualenv (its own) or local.');
  });
});

describe('node_env', () => {
  it('installs package.json + lockfile with npm ci into a cached environment the project imports from', async () => {
    const work = tempDir('gitml-npm-');
    writeFiles(work, { 'dep/package.json': '{"name":"greet-dep","version":"1.0.0","type":"module","exports":"./index.js"}', 'dep/index.js': 'export const hello = () => "hello from dep";\n' });
    const tgz = join(work, execFileSync('npm', ['pack', '--silent', './dep'], { cwd: work, encoding: 'utf8' }).trim());
    const repo = makeRepo();
    writeFiles(repo, {
      'package.json': JSON.stringify({ name: 'proj', version: '1.0.0', private: true, dependencies: { 'greet-dep': `file:${tgz}` } }),
      MLproject: 'node_env: package.json\nentry_points:\n  main:\n    command: node main.mjs\n',
      'main.mjs': "import { hello } from 'greet-dep';\nimport { createRequire } from 'node:module';\nconsole.log(hello(), typeof createRequire(import.meta.url).resolve('greet-dep'));\n",
    });
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--silent'], { cwd: repo });
    rmSync(join(repo, 'node_modules'), { recursive: true });
    commitFiles(repo, {});
    const q = quiet();
    const r = await runProject({ uri: repo, repo, ...q });
    expect(r.status, q.sink.stderr).toBe('FINISHED');
    expect(q.sink.stdout).toBe('hello from dep string\n');
    expect(r.environment.dir).toMatch(/\/\.git\/ml\/envs\/node-[0-9a-f]{16}$/);
    expect(existsSync(join(repo, 'node_modules'))).toBe(false);
    expect((await runProject({ uri: repo, repo, ...quiet() })).environment.reused).toBe(true);
  });

  it('needs a lockfile', async () => {
    const repo = makeRepo();
    commitFiles(repo, { 'package.json': '{"name":"x"}', MLproject: 'node_env: package.json\nentry_points: {main: {command: node -v}}\n' });
    const e = await rejection(runProject({ uri: repo, repo, ...quiet() }));
    expect(e.message).toMatch(/^node_env needs a lockfile next to .*package\.json \(package-lock\.json\).*run `npm install` there and commit the lockfile\.$/);
  });
});

describe('conda_env and docker_env', () => {
  // Skipped only where conda or mamba is installed, so the error this checks cannot happen; runs here.
  it.skipIf(has('conda') || has('mamba') || has('micromamba'))('says to install conda or mamba when neither is there (skipped where conda/mamba is installed)', async () => {
    const repo = makeRepo();
    commitFiles(repo, { MLproject: 'conda_env: conda.yaml\nentry_points: {main: {command: python -V}}\n', 'conda.yaml': 'name: x\ndependencies: [python=3.11]\n' });
    const e = await rejection(runProject({ uri: repo, repo, ...quiet() }));
    expect(e.code).toBe('ENVIRONMENT_UNAVAILABLE');
    expect(e.message).toMatch(/^conda_env needs conda or mamba, but neither is on PATH .*Install Miniforge .* or run with --env-manager local\.$/);
    expect(runRefs(repo).size).toBe(0);
  });

  // Skipped only where a Docker engine answers, so the error this checks cannot happen; runs here.
  it.skipIf(dockerEngineUp)('says so when no Docker engine answers, before any run exists (skipped where a Docker engine runs)', async () => {
    const repo = makeRepo();
    commitFiles(repo, { MLproject: 'docker_env:\n  image: python:3.12-slim\nentry_points: {main: {command: python -V}}\n' });
    const e = await rejection(runProject({ uri: repo, repo, ...quiet() }));
    expect(e.code).toBe('ENVIRONMENT_UNAVAILABLE');
    expect(e.message).toMatch(/^docker_env needs (a running Docker engine, but none answered \(.+\)\. Start Docker \(or point DOCKER_HOST at an engine\)|Docker, but the docker command is not on PATH)/);
    expect(runRefs(repo).size).toBe(0);
  });

  it('builds the docker run command: project mounted as the working directory, volumes, variables, the command quoted as one argument', () => {
    const argv = dockerRunArgv({
      image: 'repo/train:1',
      volumes: ['/data:/data:ro'],
      environment: ['AWS_PROFILE', ['MODE', 'a b']],
      projectDir: '/home/me/proj',
      command: "python train.py --note 'x; y'",
      vars: { MLFLOW_RUN_ID: 'abc', GIT_ML_REPO: '/home/me/proj' },
      mounts: ['/home/me/proj'],
      name: 'git-ml-abc',
      user: '1000:1000',
      dockerArgs: { gpus: 'all', t: true, privileged: false },
    });
    expect(argv).toEqual([
      'run', '--rm', '--init', '--name', 'git-ml-abc', '--user', '1000:1000', '--gpus', 'all', '-t',
      '-v', '/home/me/proj:/mlflow/projects/code', '-w', '/mlflow/projects/code',
      '-v', '/data:/data:ro', '-v', '/home/me/proj:/home/me/proj',
      '-e', 'AWS_PROFILE', '-e', 'MODE=a b', '-e', 'MLFLOW_RUN_ID=abc', '-e', 'GIT_ML_REPO=/home/me/proj',
      'repo/train:1', 'sh', '-c', "python train.py --note 'x; y'",
    ]);
  });
});
