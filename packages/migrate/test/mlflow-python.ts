/**
 * Real MLflow for the tests: the Python client unpacked by ../shared/mlflow-python/setup.sh
 * (MLFLOW_PY, else /tmp/mlflow-py), run with Debian's /usr/bin/python3.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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
