/**
 * Project fixtures for the projects tests: real repositories holding MLproject files and small
 * node / sh scripts that log through the built tracking package, and a collecting output sink.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { OutputSink, RunProjectOptions } from '@git-ml/projects';
import { git, TRACKING_DIST } from '@git-ml/test-support';

export { TRACKING_DIST };

/** Writes files (creating directories) into `dir`. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

/** Writes files and commits them; returns the new commit. */
export function commitFiles(repo: string, files: Record<string, string>, message = 'update'): string {
  writeFiles(repo, files);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', message);
  return git(repo, 'rev-parse', 'HEAD');
}

/**
 * A node script that attaches to the project run with the fluent `startRun()` (MLFLOW_RUN_ID),
 * prints its argv as JSON, and runs `body` (which may use logMetric, logParam, setTag, args).
 */
export function trainScript(body = ''): string {
  return `import { startRun, logMetric, logParam, setTag } from ${JSON.stringify(TRACKING_DIST)};
import { readFileSync, existsSync } from 'node:fs';
const args = process.argv.slice(2);
console.log('ARGV ' + JSON.stringify(args));
console.log('ENV ' + JSON.stringify({ run: process.env.MLFLOW_RUN_ID, exp: process.env.MLFLOW_EXPERIMENT_ID, uri: process.env.MLFLOW_TRACKING_URI, repo: process.env.GIT_ML_REPO }));
startRun();
${body}
`;
}

/** An output sink that keeps everything written to it. */
export function collect(): OutputSink & { stdout: string; stderr: string } {
  const sink = {
    stdout: '',
    stderr: '',
    out(t: string) {
      sink.stdout += t;
    },
    err(t: string) {
      sink.stderr += t;
    },
  };
  return sink;
}

/** Options every test run shares: captured output, no process signal handlers. */
export function quiet(sink = collect()): Pick<RunProjectOptions, 'output' | 'handleSignals'> & { sink: ReturnType<typeof collect> } {
  return { output: sink, handleSignals: false, sink };
}

/** The JSON argv the train script printed. */
export function printedArgv(stdout: string): string[] {
  const line = stdout.split('\n').find((l) => l.startsWith('ARGV '));
  if (!line) throw new Error(`the script printed no ARGV line: ${stdout}`);
  return JSON.parse(line.slice(5)) as string[];
}

/** Awaits a promise that must reject, and returns the error. */
export async function rejection(p: Promise<unknown>): Promise<Error & { code?: string; data?: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/** Tag value of a run, from MlClient.getRun's shape. */
export function tagOf(run: { data: { tags: { key: string; value: string }[] } }, key: string): string | undefined {
  return run.data.tags.find((t) => t.key === key)?.value;
}
