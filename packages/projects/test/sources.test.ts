/**
 * Project sources: a local repository at an older --version, file:// URLs with #subdirectory,
 * checked out into temporary directories without touching the user's working tree, index or HEAD.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { fetchProject, runProject } from '@git-ml/projects';
import { closeClients, git, makeRepo, openClient, removeTempDirs, runRefs } from '@git-ml/test-support';
import { commitFiles, printedArgv, quiet, rejection, tagOf, trainScript } from './fixtures.js';

afterEach(closeClients);
afterAll(removeTempDirs);

const project = (version: string) => ({
  MLproject: `entry_points:\n  main:\n    parameters: {x: {type: int, default: 1}}\n    command: "node train.mjs ${version} {x}"\n`,
  'train.mjs': trainScript(`logMetric('version', ${JSON.stringify(Number(version.slice(1)))});`),
});

function userState(repo: string) {
  return { head: git(repo, 'rev-parse', 'HEAD'), branch: git(repo, 'symbolic-ref', 'HEAD'), status: git(repo, 'status', '--porcelain'), index: readFileSync(join(repo, '.git', 'index')) };
}

describe('running another version of a local repository', () => {
  it('checks out an older commit into a temporary directory, records it, and leaves the user’s tree alone', async () => {
    const repo = makeRepo();
    const v1 = commitFiles(repo, project('v1'));
    git(repo, 'tag', 'first');
    commitFiles(repo, project('v2'));
    const before = userState(repo);
    const q = quiet();
    const r = await runProject({ uri: repo, repo, version: 'first', ...q });
    expect(r.status).toBe('FINISHED');
    expect(printedArgv(q.sink.stdout)).toEqual(['v1', '1']);
    expect(r.commit).toBe(v1);
    const run = openClient(repo).getRun(r.runId);
    expect(tagOf(run, 'mlflow.source.git.commit')).toBe(v1);
    expect(run.data.metrics[0]).toMatchObject({ key: 'version', value: 1 });
    expect(userState(repo)).toEqual(before);
    // a branch as the version is recorded as the branch
    const onMain = await runProject({ uri: repo, repo, version: 'main', ...quiet() });
    expect(tagOf(openClient(repo).getRun(onMain.runId), 'mlflow.source.git.branch')).toBe('main');
  });

  it('refuses a version that does not exist, before any run exists', async () => {
    const repo = makeRepo();
    commitFiles(repo, project('v1'));
    const e = await rejection(runProject({ uri: repo, repo, version: 'nope', ...quiet() }));
    expect(e.code).toBe('PROJECT_SOURCE');
    expect(e.message).toBe(`Version 'nope' not found in ${repo}: pass a branch, tag or commit that exists there.`);
    expect(runRefs(repo).size).toBe(0);
  });
});

describe('git URLs', () => {
  it('clones a file:// URL with #subdirectory at a version and runs the project in that subdirectory', async () => {
    const upstream = makeRepo();
    const files = project('v7');
    const c1 = commitFiles(upstream, { 'proj/MLproject': files.MLproject, 'proj/train.mjs': files['train.mjs'] });
    commitFiles(upstream, { 'proj/train.mjs': trainScript("logMetric('version', 8);") });
    const tracking = makeRepo();
    const q = quiet();
    const r = await runProject({ uri: `file://${upstream}#proj`, version: c1, repo: tracking, parameters: { x: 5 }, ...q });
    expect(r.status, q.sink.stderr).toBe('FINISHED');
    expect(printedArgv(q.sink.stdout)).toEqual(['v7', '5']);
    const run = openClient(tracking).getRun(r.runId);
    expect(tagOf(run, 'mlflow.source.git.commit')).toBe(c1);
    expect(tagOf(run, 'mlflow.source.git.repoURL')).toBe(`file://${upstream}`);
    expect(tagOf(run, 'mlflow.source.name')).toBe(`file://${upstream}#proj`);
    expect(tagOf(run, 'git-ml.project.dir')).toBe('proj');
    expect(run.data.metrics[0]).toMatchObject({ key: 'version', value: 7 });
  });

  it('removes its temporary checkout, and explains a missing subdirectory or an unreachable URL', async () => {
    const upstream = makeRepo();
    commitFiles(upstream, project('v1'));
    const src = await fetchProject(`file://${upstream}`);
    expect(readFileSync(join(src.dir, 'MLproject'), 'utf8')).toContain('node train.mjs v1');
    expect(src.branch).toBe('main');
    src.cleanup();
    expect(() => readFileSync(join(src.dir, 'MLproject'))).toThrow();
    const sub = await rejection(fetchProject(`file://${upstream}#nope`));
    expect(sub.message).toMatch(/^Subdirectory 'nope' does not exist in file:\/\/.* at HEAD \([0-9a-f]{12}\)\.$/);
    const url = await rejection(fetchProject(`file://${upstream}-missing`));
    expect(url.code).toBe('PROJECT_SOURCE');
    expect(url.message).toMatch(/^Could not clone file:\/\/.*-missing: fatal: .*Check the URL/);
  });
});
