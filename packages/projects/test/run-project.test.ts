/**
 * runProject on real repositories with real child processes: parameters reach the child intact,
 * bad input is refused before a run exists, the child's logging attaches to the run, the run ends
 * FINISHED / FAILED / KILLED, and the user's working tree, index and HEAD never change.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { nodeStripsTypes, runProject } from '@git-ml/projects';
import { closeClients, git, makeRepo, openClient, removeTempDirs, runRefs, startNode, tempDir } from '@git-ml/test-support';
import { commitFiles, printedArgv, quiet, rejection, tagOf, trainScript, writeFiles } from './fixtures.js';

afterEach(closeClients);

/** The CLI's built entry (another package: this test skips, saying so, when it is not built). */
const CLI = fileURLToPath(new URL('../../cli/bin/git-ml.js', import.meta.url));
const PROJECTS_DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url));
afterAll(removeTempDirs);

const MLPROJECT = `name: demo
entry_points:
  main:
    parameters:
      alpha: {type: float, default: .5}
      epochs: int
      note: {type: string, default: "none"}
    command: "node train.mjs --alpha {alpha}
              --epochs {epochs} --note {note}"
  fail:
    command: "node train.mjs --alpha 1 --epochs 2 --note n; exit 3"
  sleep:
    command: "node -e 'console.log(1); setTimeout(() => {{}}, 60000)'"
`;

function demoRepo(): string {
  const repo = makeRepo();
  commitFiles(repo, { MLproject: MLPROJECT, 'train.mjs': trainScript("logMetric('loss', 1 / Number(args[3])); logParam('seen_note', args[5]);") });
  return repo;
}

describe('launching a project in place', () => {
  it('warns before the run about a placeholder the command double-quotes, through which the shell runs $(…) in a value', async () => {
    const repo = makeRepo();
    commitFiles(repo, {
      MLproject: `entry_points:
  quoted:
    parameters: {a: str}
    command: echo "A={a}" > quoted.txt
  bare:
    parameters: {a: str}
    command: echo A={a} > bare.txt
`,
    });
    const a = '$(echo ran-in-shell)';
    const q = quiet();
    expect((await runProject({ uri: repo, repo, entryPoint: 'quoted', parameters: { a }, ...q })).status).toBe('FINISHED');
    expect(q.sink.stderr).toMatch(/^git-ml: warning: \S*MLproject:4: entry point 'quoted': \{a\} is inside double quotes in the command; remove the quotes around it\. git-ml quotes every parameter value itself/m);
    // what the warning is about (MLflow runs it the same way): the double quotes let the shell expand the value
    expect(readFileSync(join(repo, 'quoted.txt'), 'utf8')).toBe(`A='ran-in-shell'\n`);

    const plain = quiet();
    expect((await runProject({ uri: repo, repo, entryPoint: 'bare', parameters: { a }, ...plain })).status).toBe('FINISHED');
    expect(plain.sink.stderr).not.toContain('warning');
    expect(readFileSync(join(repo, 'bare.txt'), 'utf8')).toBe(`A=${a}\n`);
  });

  it('hands parameters with spaces, quotes and ; to the child unchanged, runs nothing they contain, and logs them', async () => {
    const repo = demoRepo();
    const note = `it's "x"; touch PWNED $(touch PWNED2)`;
    const q = quiet();
    const r = await runProject({ uri: repo, repo, parameters: { epochs: 4, note, 'free text': 'a b;c' }, ...q });
    expect(r.status).toBe('FINISHED');
    expect(printedArgv(q.sink.stdout)).toEqual(['--alpha', '.5', '--epochs', '4', '--note', note, '--free text', 'a b;c']);
    expect(existsSync(join(repo, 'PWNED')) || existsSync(join(repo, 'PWNED2'))).toBe(false);
    const run = openClient(repo).getRun(r.runId);
    expect(Object.fromEntries(run.data.params.map((p) => [p.key, p.value]))).toEqual({ alpha: '.5', epochs: '4', note, 'free text': 'a b;c', seen_note: note });
    expect(run.data.metrics.map((m) => [m.key, m.value])).toEqual([['loss', 0.25]]);
    expect(run.info.status).toBe('FINISHED');
  });

  it('creates and commits the run before the child starts, passes its ids, and sets the system tags', async () => {
    const repo = demoRepo();
    git(repo, 'remote', 'add', 'origin', 'https://example.com/team/demo.git');
    const q = quiet();
    const r = await runProject({ uri: repo, repo, parameters: { epochs: 1 }, experimentName: 'projects', runName: 'first', ...q });
    const env = JSON.parse(q.sink.stdout.split('\n').find((l) => l.startsWith('ENV '))!.slice(4));
    expect(env).toEqual({ run: r.runId, exp: r.experimentId, uri: `file://${repo}`, repo });
    const c = openClient(repo);
    expect(c.getExperimentByName('projects')?.experiment_id).toBe(r.experimentId);
    const run = c.getRun(r.runId);
    expect(run.info.run_name).toBe('first');
    expect(tagOf(run, 'mlflow.source.type')).toBe('PROJECT');
    expect(tagOf(run, 'mlflow.source.name')).toBe(repo);
    expect(tagOf(run, 'mlflow.source.git.commit')).toBe(git(repo, 'rev-parse', 'HEAD'));
    expect(tagOf(run, 'mlflow.source.git.branch')).toBe('main');
    expect(tagOf(run, 'mlflow.source.git.repoURL')).toBe('https://example.com/team/demo.git');
    expect(tagOf(run, 'mlflow.project.entryPoint')).toBe('main');
    expect(tagOf(run, 'mlflow.project.env')).toBe('local');
    // the run's first commit has the source commit as parent, as every git-ml run does
    expect(git(repo, 'merge-base', '--is-ancestor', 'HEAD', `refs/ml/runs/${r.experimentId}/${r.runId}`)).toBe('');
  });

  it('marks the run FAILED with the exit code when the command fails, keeping what the child logged', async () => {
    const repo = demoRepo();
    const r = await runProject({ uri: repo, repo, entryPoint: 'fail', ...quiet() });
    expect(r).toMatchObject({ status: 'FAILED', exitCode: 3 });
    const run = openClient(repo).getRun(r.runId);
    expect(run.info.status).toBe('FAILED');
    expect(run.info.end_time).not.toBeNull();
    expect(run.data.metrics.map((m) => [m.key, m.value])).toEqual([['loss', 0.5]]);
    expect(run.data.params.find((p) => p.key === 'seen_note')?.value).toBe('n');
  });

  it('stops the child and marks the run KILLED when aborted', async () => {
    const repo = demoRepo();
    const q = quiet();
    const abort = new AbortController();
    const timer = setInterval(() => q.sink.stdout.includes('1') && abort.abort(), 20);
    const r = await runProject({ uri: repo, repo, entryPoint: 'sleep', signal: abort.signal, killGraceMs: 2000, ...q }).finally(() => clearInterval(timer));
    expect(r.status).toBe('KILLED');
    expect(openClient(repo).getRun(r.runId).info.status).toBe('KILLED');
  });

  it('on Ctrl-C (SIGINT to the launcher) stops the child and marks the run KILLED', async () => {
    const repo = demoRepo();
    const driver = join(tempDir('gitml-driver-'), 'driver.mjs');
    writeFileSync(
      driver,
      `import { runProject } from ${JSON.stringify(PROJECTS_DIST)};
const r = await runProject({ uri: process.argv[2], repo: process.argv[2], entryPoint: 'sleep', killGraceMs: 3000 });
console.log('RESULT ' + JSON.stringify({ status: r.status, runId: r.runId }));
`,
    );
    const child = startNode(driver, [repo], repo);
    await child.waitFor(/^1$/m);
    child.kill('SIGINT');
    const done = await child.done;
    expect(done.code, done.err).toBe(0);
    const result = JSON.parse(/RESULT (.*)/.exec(done.out)![1]);
    expect(result.status).toBe('KILLED');
    expect(openClient(repo).getRun(result.runId).info.status).toBe('KILLED');
  });

  it('refuses bad input before any run exists: a missing required parameter, a wrong type, an unknown entry point', async () => {
    const repo = demoRepo();
    const missing = await rejection(runProject({ uri: repo, repo, ...quiet() }));
    expect(missing.message).toBe("Entry point 'main' needs parameter 'epochs' (int): pass -P epochs=….");
    const wrong = await rejection(runProject({ uri: repo, repo, parameters: { epochs: 'ten' }, ...quiet() }));
    expect(wrong.message).toBe(`Parameter 'epochs' must be an int (e.g. 10), got "ten".`);
    const unknown = await rejection(runProject({ uri: repo, repo, entryPoint: 'tran', ...quiet() }));
    expect(unknown.code).toBe('ENTRY_POINT_NOT_FOUND');
    expect(unknown.message).toBe(
      "Unknown entry point 'tran': the MLproject declares 'main', 'fail', 'sleep', and it is not a .js / .mjs / .cjs / .ts / .py / .sh file to run directly. Pick one with -e NAME (or -e path/to/script.py).",
    );
    expect(runRefs(repo).size).toBe(0);
  });

  it('refuses a malformed MLproject with its line', async () => {
    const repo = makeRepo();
    commitFiles(repo, { MLproject: 'entry_points:\n  main:\n    parameters: {a: float}\n    command: "x {a}"\n    env: 1\n' });
    const e = await rejection(runProject({ uri: repo, repo, ...quiet() }));
    expect(e.code).toBe('INVALID_MLPROJECT');
    expect(e.message).toMatch(/MLproject:5: entry_points\.main\.env: is not a known key$/);
    expect(runRefs(repo).size).toBe(0);
  });

  it('runs a .sh file without an MLproject, appending parameters as --key value, with the run already in git', async () => {
    const repo = makeRepo();
    // the run's ref must already exist in git when the child starts
    const script = 'for a in "$@"; do echo "ARG[$a]"; done\ngit -C "$GIT_ML_REPO" rev-parse -q --verify "refs/ml/runs/$MLFLOW_EXPERIMENT_ID/$MLFLOW_RUN_ID" >/dev/null && echo "REF $MLFLOW_RUN_ID"\n';
    commitFiles(repo, { 'jobs/go.sh': script });
    const q = quiet();
    const r = await runProject({ uri: join(repo, 'jobs'), repo, entryPoint: 'go.sh', parameters: { lr: '0.1', 'a b': 'c;d' }, ...q });
    expect(r.status).toBe('FINISHED');
    expect(q.sink.stdout).toBe(`ARG[--lr]\nARG[0.1]\nARG[--a b]\nARG[c;d]\nREF ${r.runId}\n`);
    const run = openClient(repo).getRun(r.runId);
    expect(tagOf(run, 'mlflow.project.entryPoint')).toBe('go.sh');
    expect(tagOf(run, 'git-ml.project.dir')).toBe('jobs');
  });

  it('lets a shell script log into the run with `git-ml runs log "$MLFLOW_RUN_ID"`', async () => {
    // `npm test` builds every package (the CLI included) before the tests run
    if (!existsSync(CLI)) throw new Error(`${CLI} is not built; run \`npm run build\` first.`);
    const repo = makeRepo();
    commitFiles(repo, {
      MLproject: 'entry_points:\n  main:\n    parameters: {lr: float}\n    command: "sh log.sh {lr}"\n',
      'log.sh': `node ${JSON.stringify(CLI)} runs log "$MLFLOW_RUN_ID" --metric acc=0.75@2 --param "lr_seen=$1" --tag stage=shell\n`,
    });
    const q = quiet();
    const r = await runProject({ uri: repo, repo, parameters: { lr: 0.01 }, ...q });
    expect(r.status, q.sink.stderr).toBe('FINISHED');
    const run = openClient(repo).getRun(r.runId);
    expect(run.data.metrics.map((m) => [m.key, m.value, m.step])).toEqual([['acc', 0.75, 2]]);
    expect(Object.fromEntries(run.data.params.map((p) => [p.key, p.value]))).toEqual({ lr: '0.01', lr_seen: '0.01' });
    expect(tagOf(run, 'stage')).toBe('shell');
  });

  // Skipped only on Node ≥ 22.6, where node strips types itself and tsx is never used; runs on Node 20.
  it.skipIf(nodeStripsTypes())('runs a .ts entry point with the project’s own tsx on a Node without type stripping (skipped on Node ≥ 22.6: no tsx needed there)', async () => {
    const repo = makeRepo();
    commitFiles(repo, { 'src/train.ts': 'console.log(1);\n' });
    writeFiles(repo, { 'node_modules/.bin/tsx': '#!/bin/sh\necho "tsx ran $*"\n' });
    chmodSync(join(repo, 'node_modules/.bin/tsx'), 0o755);
    const q = quiet();
    const r = await runProject({ uri: repo, repo, entryPoint: 'src/train.ts', parameters: { n: 1 }, ...q });
    expect([r.status, q.sink.stdout]).toEqual(['FINISHED', 'tsx ran src/train.ts --n 1\n']);
  });

  it('says what to install to run a .ts entry point on a Node without type stripping', async () => {
    const repo = makeRepo();
    commitFiles(repo, { 'train.ts': 'const x: number = 1;\nconsole.log(x);\n' });
    if (Number(process.versions.node.split('.')[0]) >= 23) return; // type stripping is built in there
    const e = await rejection(runProject({ uri: repo, repo, entryPoint: 'train.ts', ...quiet() }));
    expect(e.code).toBe('ENVIRONMENT_UNAVAILABLE');
    expect(e.message).toContain('needs Node >= 22.6 (it strips TypeScript types) or tsx');
  });

  it('records a dirty working tree as a snapshot commit and never touches the index, HEAD or files', async () => {
    const repo = demoRepo();
    writeFiles(repo, { 'train.mjs': trainScript("logMetric('loss', 7);"), 'notes.txt': 'untracked\n' });
    git(repo, 'add', 'notes.txt');
    const before = { head: git(repo, 'rev-parse', 'HEAD'), status: git(repo, 'status', '--porcelain'), index: readFileSync(join(repo, '.git', 'index')) };
    const r = await runProject({ uri: repo, repo, parameters: { epochs: 1 }, ...quiet() });
    const run = openClient(repo).getRun(r.runId);
    const commit = tagOf(run, 'mlflow.source.git.commit')!;
    expect(commit).not.toBe(before.head);
    expect(tagOf(run, 'git-ml.source.dirty')).toBe('true');
    expect(git(repo, 'show', `${commit}:train.mjs`)).toContain("logMetric('loss', 7);");
    expect({ head: git(repo, 'rev-parse', 'HEAD'), status: git(repo, 'status', '--porcelain'), index: readFileSync(join(repo, '.git', 'index')) }).toEqual(before);
  });
});
