/**
 * Real MLflow for the tests: the Python client unpacked by ../shared/mlflow-python/setup.sh
 * (MLFLOW_PY, else /tmp/mlflow-py), run with Debian's /usr/bin/python3.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const PYTHON = '/usr/bin/python3';

function findMlflow(): string | null {
  for (const d of [process.env.MLFLOW_PY, '/tmp/mlflow-py'].filter((x): x is string => !!x)) {
    if (existsSync(join(d, 'src', 'mlflow', '__init__.py'))) return d;
  }
  return null;
}

const home = findMlflow();

/** Why the MLflow tests cannot run here, or null when they can. */
export const mlflowMissing: string | null = !existsSync(PYTHON)
  ? `${PYTHON} is missing`
  : !home
    ? 'MLflow source not found (run `bash ../shared/mlflow-python/setup.sh`, or set MLFLOW_PY to its DEST)'
    : null;

/** Runs one of the fixture scripts with MLflow on the path; returns stdout. */
export function python(script: string, ...args: string[]): string {
  return execFileSync(PYTHON, [join(FIXTURES, script), ...args], {
    env: { ...process.env, PYTHONPATH: `${home}/src:${home}/deps:${home}`, GIT_PYTHON_REFRESH: 'quiet', MLFLOW_TRACKING_URI: '' },
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** A free TCP port on 127.0.0.1 (asked of the OS, then released for the server to take). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * A real `mlflow server` (MLflow 2.12.2 from the shared source, one gunicorn worker) on 127.0.0.1
 * with a SQLite backend store and artifacts under `dir` — proxied (MLflow's default), or with
 * `proxyArtifacts: false` a plain local artifact root its clients write to themselves
 * (`--no-serve-artifacts`); resolves once /health answers.
 */
export async function startMlflowServer(dir: string, options: { proxyArtifacts?: boolean } = {}): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const artifacts = options.proxyArtifacts === false ? ['--no-serve-artifacts', '--default-artifact-root', join(dir, 'artifacts')] : ['--artifacts-destination', join(dir, 'artifacts')];
  const child = spawn(
    PYTHON,
    ['-m', 'mlflow', 'server', '--backend-store-uri', `sqlite:///${join(dir, 'mlflow.db')}`, ...artifacts, '--host', '127.0.0.1', '--port', String(port), '--workers', '1'],
    { cwd: dir, env: { ...process.env, PYTHONPATH: `${home}/src:${home}/deps:${home}`, GIT_PYTHON_REFRESH: 'quiet', MLFLOW_TRACKING_URI: '' }, stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  let log = '';
  child.stderr!.on('data', (c) => (log += c));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(-child.pid!, 'SIGTERM'); // the group: mlflow's launcher and its gunicorn worker
    await exited;
  };
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`mlflow server exited with ${child.exitCode}: ${log.slice(-2000)}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return { url, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`mlflow server did not answer on ${url} within 60 s: ${log.slice(-2000)}`);
}
