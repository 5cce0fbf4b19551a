import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RegistryClient } from '@git-ml/registry';
import { DEFAULT_EXPERIMENT_ID, MlClient } from '@git-ml/tracking';
import { describe, expect, it } from 'vitest';
import { cleanEnv, git, gitMl, ok, refOf, STACK_LINE, startRun, tempDir, tempRepo } from './harness.js';

/** Starts a run and logs a model directory (weights.bin = `weights`, MLmodel) under the artifact path `model`. */
function runWithModel(repo: string, weights = 'w1'): string {
  const id = startRun(repo);
  const dir = tempDir();
  writeFileSync(join(dir, 'weights.bin'), weights);
  writeFileSync(join(dir, 'MLmodel'), 'flavors: {}\n');
  ok(repo, 'artifacts', 'log', id, dir, '--artifact-path', 'model');
  return id;
}

/**
 * runWithModel and `models register`, in this process through the SDK the CLI is a thin layer over:
 * for tests whose subject is push/pull, where a child process per setup step (~0.4 s each) is what
 * made them slow.
 */
async function registeredInProcess(repo: string, weights: string, name?: string): Promise<{ run: string; version?: string }> {
  const client = new MlClient({ repo });
  try {
    const run = client.createRun(DEFAULT_EXPERIMENT_ID).info.run_id;
    const dir = tempDir();
    writeFileSync(join(dir, 'weights.bin'), weights);
    writeFileSync(join(dir, 'MLmodel'), 'flavors: {}\n');
    await client.logArtifacts(run, dir, 'model');
    const version = name ? new RegistryClient({ tracking: client }).createModelVersion(name, `runs:/${run}/model`).version : undefined;
    return { run, version };
  } finally {
    client.close();
  }
}

/** A registry client on `repo` for `fn`, closed afterwards. */
function withRegistry<T>(repo: string, fn: (r: RegistryClient) => T): T {
  const client = new MlClient({ repo });
  try {
    return fn(new RegistryClient({ tracking: client }));
  } finally {
    client.close();
  }
}

function json(cwd: string, ...args: string[]) {
  return JSON.parse(ok(cwd, ...args));
}

/** A repository with model `iris` registered from one run (v1). */
function irisRepo(): { repo: string; run: string } {
  const repo = tempRepo();
  const run = runWithModel(repo);
  ok(repo, 'models', 'register', 'iris', '--source', `runs:/${run}/model`);
  return { repo, run };
}

/** The command failed: non-zero exit, nothing on stdout, one `git-ml: error:` line, no stack trace. */
function expectOneLineError(r: { code: number; stdout: string; stderr: string }, code: number, message: RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/^git-ml: error: [^\n]+\n$/);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(STACK_LINE);
}

describe('git-ml models', () => {
  it('register prints only the version number; the version is an annotated git tag on the run commit holding the model', () => {
    const repo = tempRepo();
    const run = runWithModel(repo, 'first weights');
    const first = gitMl(repo, ['models', 'register', 'iris', '--source', `runs:/${run}/model`]);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('1\n');
    expect(first.stderr).toBe("git-ml: created registered model 'iris'\n");
    const second = gitMl(repo, ['models', 'register', 'iris', '--source', 'model', '--run-id', run]);
    expect(second.stdout).toBe('2\n');
    expect(second.stderr).toBe('');

    expect(git(repo, 'tag', '-l')).toBe('iris@v1\niris@v2\n');
    expect(git(repo, 'cat-file', '-t', 'iris@v1').trim()).toBe('tag');
    expect(git(repo, 'rev-parse', 'iris@v1^{commit}')).toBe(git(repo, 'rev-parse', refOf(repo, run)));
    expect(git(repo, 'cat-file', 'blob', 'iris@v1:artifacts/model/weights.bin')).toBe('first weights');
    const shown = git(repo, 'show', '--no-patch', 'iris@v1');
    expect(shown).toMatch(/^tag iris@v1$/m);
    expect(shown).toMatch(/^name: iris$/m);
    expect(shown).toMatch(/^version: 1$/m);
    expect(shown).toContain(`run_id: ${run}`);
    expect(shown).toMatch(/^artifact_path: model$/m);

    const mv = json(repo, 'models', 'register', 'iris', '--source', `runs:/${run}/model`, '--description', 'third', '--tag', 'stage=ci', '--json').model_version;
    expect(mv).toMatchObject({ name: 'iris', version: '3', run_id: run, source: `runs:/${run}/model`, description: 'third', tags: [{ key: 'stage', value: 'ci' }], aliases: [], status: 'READY' });
    expect(typeof mv.creation_timestamp).toBe('number');
    execFileSync('git', ['fsck', '--strict'], { cwd: repo, env: cleanEnv(), stdio: 'ignore' });
  });

  it('a version pins the commit: later artifacts of the same run do not change it, and download copies that exact model', () => {
    const repo = tempRepo();
    const run = runWithModel(repo, 'old');
    ok(repo, 'models', 'register', 'iris', '--source', `runs:/${run}/model`);
    const newer = tempDir();
    writeFileSync(join(newer, 'weights.bin'), 'new');
    ok(repo, 'artifacts', 'log', run, newer, '--artifact-path', 'model');
    ok(repo, 'models', 'register', 'iris', '--source', `runs:/${run}/model`);
    ok(repo, 'models', 'alias', 'iris', 'champion', '1');

    const dest = tempDir();
    expect(ok(repo, 'models', 'download', 'models:/iris@champion', '-o', join(dest, 'a'))).toBe(`${join(dest, 'a', 'model')}\n`);
    expect(readFileSync(join(dest, 'a', 'model', 'weights.bin'), 'utf8')).toBe('old');
    expect(readFileSync(join(dest, 'a', 'model', 'MLmodel'), 'utf8')).toBe('flavors: {}\n');
    ok(repo, 'models', 'download', 'models:/iris/latest', '-o', join(dest, 'b'));
    expect(readFileSync(join(dest, 'b', 'model', 'weights.bin'), 'utf8')).toBe('new');
  });

  it('create, list and show print MLflow\'s JSON shapes; names with quotes work', () => {
    const repo = tempRepo();
    const run = runWithModel(repo);
    expect(ok(repo, 'models', 'create', 'iris', '--description', 'Iris classifier', '--tag', 'team=vision')).toBe('iris\n');
    const created = json(repo, 'models', 'create', "O'Brien's model", '--json').registered_model;
    expect(created).toMatchObject({ name: "O'Brien's model", description: '', latest_versions: [], tags: [], aliases: [] });
    ok(repo, 'models', 'register', 'iris', '--source', `runs:/${run}/model`);
    ok(repo, 'models', 'register', 'iris', '--source', `runs:/${run}/model`);
    ok(repo, 'models', 'register', "O'Brien's model", '--source', `runs:/${run}/model`);
    ok(repo, 'models', 'alias', 'iris', 'champion', '1');

    const list = json(repo, 'models', 'list', '--json');
    expect(Object.keys(list)).toEqual(['registered_models']);
    expect(list.registered_models.map((m: { name: string }) => m.name)).toEqual(["O'Brien's model", 'iris']); // byte order, like MLflow's stores
    const iris = list.registered_models[1];
    expect(Object.keys(iris).sort()).toEqual(['aliases', 'creation_timestamp', 'description', 'last_updated_timestamp', 'latest_versions', 'name', 'tags', 'user_id']);
    expect(iris).toMatchObject({ description: 'Iris classifier', tags: [{ key: 'team', value: 'vision' }], aliases: [{ alias: 'champion', version: '1' }] });
    expect(iris.latest_versions.map((v: { version: string }) => v.version)).toEqual(['2']);
    expect(json(repo, 'models', 'list', '--filter', "name LIKE 'ir%'", '--json').registered_models.map((m: { name: string }) => m.name)).toEqual(['iris']);
    const paged = json(repo, 'models', 'list', '--max-results', '1', '--json');
    expect(paged.registered_models).toHaveLength(1);
    expect(json(repo, 'models', 'list', '--page-token', paged.next_page_token, '--json').registered_models[0].name).toBe('iris');

    const table = ok(repo, 'models', 'list').split('\n');
    expect(table[0]).toMatch(/^NAME\s+LATEST\s+ALIASES\s+LAST UPDATED\s+DESCRIPTION$/);
    expect(table[2]).toMatch(/^iris\s+2\s+champion=1\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+Iris classifier$/);

    const show = json(repo, 'models', 'show', 'iris', '--json');
    expect(Object.keys(show)).toEqual(['registered_model', 'model_versions']);
    expect(show.registered_model.name).toBe('iris');
    expect(show.model_versions.map((v: { version: string; aliases: string[] }) => [v.version, v.aliases])).toEqual([['2', []], ['1', ['champion']]]);
    expect(Object.keys(show.model_versions[0]).sort()).toEqual(['aliases', 'creation_timestamp', 'current_stage', 'description', 'last_updated_timestamp', 'name', 'run_id', 'run_link', 'source', 'status', 'tags', 'user_id', 'version']);
    const quoted = json(repo, 'models', 'show', "O'Brien's model", '--json');
    expect(quoted.model_versions.map((v: { name: string; version: string }) => `${v.name} ${v.version}`)).toEqual(["O'Brien's model 1"]);

    const human = ok(repo, 'models', 'show', 'iris');
    expect(human).toMatch(/^Registered model iris\n {2}description +Iris classifier\n/);
    expect(human).toMatch(/^ {2}aliases +champion=1$/m);
    expect(human).toMatch(/^VERSION +ALIASES +CREATED +USER +SOURCE/m);
    expect(human).toMatch(new RegExp(`^ +1 +champion +\\S+ \\S+ +\\S+ +runs:/${run}/model`, 'm'));
  });

  it('alias sets, moves several at once (all or none) and deletes; reserved and malformed aliases are refused', () => {
    const { repo, run } = irisRepo();
    ok(repo, 'models', 'register', 'iris', '--source', `runs:/${run}/model`);
    const aliases = () => json(repo, 'models', 'show', 'iris', '--json').registered_model.aliases;

    expect(ok(repo, 'models', 'alias', 'iris', 'champion', '1')).toBe("Pointed champion of 'iris' at v1.\n");
    expect(ok(repo, 'models', 'alias', 'iris', 'champion=2', 'challenger=1')).toBe("Pointed champion of 'iris' at v2 (was v1).\nPointed challenger of 'iris' at v1.\n");
    expect(aliases()).toEqual([{ alias: 'challenger', version: '1' }, { alias: 'champion', version: '2' }]);
    expect(git(repo, 'log', '-1', '--format=%s', 'refs/ml/registry/iris')).toBe('git-ml: point champion → v2, challenger → v1 of iris\n'); // one commit for both

    // one bad pair moves nothing
    expectOneLineError(gitMl(repo, ['models', 'alias', 'iris', 'champion=1', 'challenger=9']), 1, /Model version 9 of 'iris' does not exist \(versions: 1, 2\)/);
    expect(aliases()).toEqual([{ alias: 'challenger', version: '1' }, { alias: 'champion', version: '2' }]);

    expect(json(repo, 'models', 'resolve', 'models:/iris@champion', '--json').version).toBe('2');
    expect(ok(repo, 'models', 'alias', '--delete', 'iris', 'challenger')).toBe("Deleted alias challenger of 'iris' (it pointed at v1).\n");
    expect(aliases()).toEqual([{ alias: 'champion', version: '2' }]);

    expectOneLineError(gitMl(repo, ['models', 'alias', 'iris', 'latest', '1']), 1, /Alias 'latest' is reserved/);
    expectOneLineError(gitMl(repo, ['models', 'alias', 'iris', 'v2=1']), 1, /Alias 'v2' is reserved/);
    expectOneLineError(gitMl(repo, ['models', 'alias', 'iris', 'no.dots', '1']), 1, /Invalid alias 'no\.dots'/);
    expectOneLineError(gitMl(repo, ['models', 'alias', 'iris', 'champion']), 2, /expected ALIAS VERSION or ALIAS=VERSION pairs/);
    expectOneLineError(gitMl(repo, ['models', 'alias', 'iris', 'champion=1', 'champion=2']), 2, /alias 'champion' is given twice/);
    expectOneLineError(gitMl(repo, ['models', 'alias', '--delete', 'iris', 'champion', 'challenger']), 2, /--delete takes the model and one alias/);
    expectOneLineError(gitMl(repo, ['models', 'alias', '--delete', 'iris', 'challenger']), 1, /has no alias 'challenger'/);
    expect(aliases()).toEqual([{ alias: 'champion', version: '2' }]);
  });

  it('history lists every registration, alias move, edit and deletion, oldest first', () => {
    const { repo, run } = irisRepo();
    ok(repo, 'models', 'register', 'iris', '--source', `runs:/${run}/model`);
    ok(repo, 'models', 'alias', 'iris', 'champion', '1');
    ok(repo, 'models', 'alias', 'iris', 'champion', '2');
    ok(repo, 'models', 'update', 'iris', '--description', 'better');
    ok(repo, 'models', 'delete', 'iris', '--version', '1');
    ok(repo, 'models', 'alias', '--delete', 'iris', 'champion');

    const { history } = json(repo, 'models', 'history', 'iris', '--json');
    expect(history.map((e: { action: string; version?: string; alias?: string }) => [e.action, e.version ?? '', e.alias ?? ''])).toEqual([
      ['create', '', ''],
      ['register', '1', ''],
      ['register', '2', ''],
      ['set_alias', '1', 'champion'],
      ['set_alias', '2', 'champion'],
      ['update', '', ''],
      ['delete_version', '1', ''],
      ['delete_alias', '', 'champion'],
    ]);
    const times = history.map((e: { timestamp: number }) => e.timestamp);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(history[1].object).toBe(git(repo, 'rev-parse', 'iris@v1').trim()); // the tag object records the registration

    const wide = gitMl(repo, ['models', 'history', 'iris'], { COLUMNS: '300' });
    const lines = wide.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+USER\s+ACTION\s+VERSION\s+ALIAS\s+DETAIL$/);
    expect(lines).toHaveLength(9);
    expect(lines[2]).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ +\\S+ +register +1 +register v1 from runs:/${run}/model$`));
    expect(lines[5]).toMatch(/ set_alias +2 +champion +point champion → v2$/);
    expect(lines[8]).toMatch(/ delete_alias +champion +delete alias champion of iris$/);

    // a deleted model keeps its history
    ok(repo, 'models', 'delete', 'iris');
    expect(json(repo, 'models', 'history', 'iris', '--json').history.at(-1).action).toBe('delete');
  });

  it('resolve names the run, commit, artifact path and version of every URI form', () => {
    const { repo, run } = irisRepo();
    ok(repo, 'models', 'register', 'iris', '--source', `runs:/${run}/model`);
    ok(repo, 'models', 'alias', 'iris', 'champion', '1');
    const commit = git(repo, 'rev-parse', 'iris@v1^{commit}').trim();

    expect(json(repo, 'models', 'resolve', 'models:/iris/1', '--json')).toEqual({ uri: 'models:/iris/1', name: 'iris', version: '1', run_id: run, commit, artifact_path: 'model', tag: 'refs/tags/iris@v1' });
    expect(json(repo, 'models', 'resolve', 'models:/iris@champion', '--json')).toMatchObject({ version: '1', alias: 'champion', commit });
    expect(json(repo, 'models', 'resolve', 'models:/iris/latest', '--json')).toMatchObject({ version: '2', tag: 'refs/tags/iris@v2' });
    expect(json(repo, 'models', 'resolve', `runs:/${run}/model`, '--json')).toEqual({ uri: `runs:/${run}/model`, run_id: run, commit: git(repo, 'rev-parse', refOf(repo, run)).trim(), artifact_path: 'model' });

    const human = ok(repo, 'models', 'resolve', 'models:/iris@champion');
    expect(human).toBe(
      `models:/iris@champion\n  name           iris\n  version        1\n  alias          champion\n  run id         ${run}\n  commit         ${commit}\n  artifact path  model\n  tag            iris@v1\n`,
    );
  });

  it('delete removes a version (the tag stays in git) or the whole model', () => {
    const { repo, run } = irisRepo();
    ok(repo, 'models', 'register', 'iris', '--source', `runs:/${run}/model`);
    ok(repo, 'models', 'alias', 'iris', 'champion', '1');
    expect(ok(repo, 'models', 'delete', 'iris', '--version', '1')).toBe("Deleted version 1 of 'iris' and its alias champion.\n");
    expect(json(repo, 'models', 'show', 'iris', '--json').model_versions.map((v: { version: string }) => v.version)).toEqual(['2']);
    expect(json(repo, 'models', 'show', 'iris', '--json').registered_model.aliases).toEqual([]);
    expect(git(repo, 'tag', '-l')).toBe('iris@v1\niris@v2\n'); // recorded, not erased
    expectOneLineError(gitMl(repo, ['models', 'resolve', 'models:/iris/1']), 1, /Model version 1 of 'iris' was deleted \(versions: 2\)/);
    // numbers are not reused
    expect(ok(repo, 'models', 'register', 'iris', '--source', `runs:/${run}/model`)).toBe('3\n');

    expect(ok(repo, 'models', 'delete', 'iris')).toBe("Deleted registered model 'iris' with its 2 versions. Its history stays: `git-ml models history iris`.\n");
    expect(json(repo, 'models', 'list', '--json')).toEqual({ registered_models: [] });
    expectOneLineError(gitMl(repo, ['models', 'show', 'iris']), 1, /Registered model 'iris' not found \(it was deleted/);
  });

  it('tag and update change models and versions', () => {
    const { repo } = irisRepo();
    expect(ok(repo, 'models', 'tag', 'iris', 'team=vision', 'owner=alice')).toBe("Set tag team=vision on 'iris'.\nSet tag owner=alice on 'iris'.\n");
    expect(ok(repo, 'models', 'tag', 'iris', '--version', '1', 'validated=true')).toBe("Set tag validated=true on 'iris' v1.\n");
    expect(ok(repo, 'models', 'tag', 'iris', '--delete', 'owner')).toBe("Deleted tag owner of 'iris'.\n");
    ok(repo, 'models', 'update', 'iris', '--description', 'Iris classifier');
    ok(repo, 'models', 'update', 'iris', '--version', '1', '--description', 'baseline');
    const show = json(repo, 'models', 'show', 'iris', '--json');
    expect(show.registered_model).toMatchObject({ description: 'Iris classifier', tags: [{ key: 'team', value: 'vision' }] });
    expect(show.model_versions[0]).toMatchObject({ description: 'baseline', tags: [{ key: 'validated', value: 'true' }] });
    expectOneLineError(gitMl(repo, ['models', 'tag', 'iris']), 2, /nothing to do/);
    expectOneLineError(gitMl(repo, ['models', 'tag', 'iris', 'novalue']), 2, /tag 'novalue' is not KEY=VALUE/);
    expectOneLineError(gitMl(repo, ['models', 'tag', 'iris', '--delete', 'nope']), 1, /has no tag 'nope'/);
  });

  it('bad input exits non-zero with one line naming what is wrong, and no stack trace', () => {
    const { repo, run } = irisRepo();
    const cases: [string[], number, RegExp][] = [
      [['models', 'show', 'nope'], 1, /Registered model 'nope' not found\. List models with `git-ml models list`/],
      [['models', 'history', 'nope'], 1, /Registered model 'nope' not found/],
      [['models', 'delete', 'nope'], 1, /Registered model 'nope' not found/],
      [['models', 'alias', 'nope', 'champion', '1'], 1, /Registered model 'nope' not found/],
      [['models', 'delete', 'iris', '--version', '7'], 1, /Model version 7 of 'iris' does not exist \(versions: 1\)/],
      [['models', 'alias', 'iris', 'champion', '7'], 1, /Model version 7 of 'iris' does not exist/],
      [['models', 'resolve', 'models:/iris/7'], 1, /Model version 7 of 'iris' does not exist/],
      [['models', 'resolve', 'models:/iris@nope'], 1, /has no alias 'nope'/],
      [['models', 'resolve', 'iris'], 1, /Invalid model URI 'iris'.*models:\/<name>\/<version>/],
      [['models', 'download', 'models:/nope/1'], 1, /Registered model 'nope' not found/],
      [['models', 'alias', 'iris', 'latest', '1'], 1, /Alias 'latest' is reserved/],
      [['models', 'alias', 'iris', 'champion', 'one'], 1, /Invalid version 'one': a model version is a positive integer/],
      [['models', 'register', 'iris', '--source', `runs:/${run}/weights`], 1, new RegExp(`Run ${run} has no artifact 'weights', so it cannot be registered.*git-ml artifacts list ${run}`)],
      [['models', 'register', 'iris', '--source', 'runs:/0123456789abcdef0123456789abcdef/model'], 1, /0123456789abcdef0123456789abcdef/],
      [['models', 'register', 'iris', '--source', 'model'], 1, /Source 'model' is a path: give the run/],
      [['models', 'register', 'iris', '--source', `runs:/${run}/model`, '--run-id', '0123456789abcdef0123456789abcdef'], 1, /names run .* but run_id is/],
      [['models', 'create', 'iris'], 1, /Registered model 'iris' already exists/],
      [['models', 'list', '--filter', 'version = 1'], 1, /Invalid filter at position 0: unknown attribute 'version'; attributes of registered models are name/],
      [['models', 'list', '--order-by', 'size'], 1, /Invalid order_by 'size'/],
      [['models', 'register', 'iris'], 2, /required option '--source <URI>' not specified/],
      [['models', 'delete', 'iris', '--version', 'two'], 2, /option '--version <N>' argument 'two' is invalid/],
      [['models', 'list', '--max-results', '0'], 2, /--max-results/],
      [['models', 'show'], 2, /missing required argument 'NAME'/],
    ];
    for (const [args, code, message] of cases) {
      const r = gitMl(repo, args);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stdout, args.join(' ')).toBe('');
      // one line, or (filter errors) a line and the filter with a caret under the wrong character
      expect(r.stderr, args.join(' ')).toMatch(/^git-ml: error: [^\n]+\n(?: {2}[^\n]*\n {2} *\^\n)?$/);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr, args.join(' ')).not.toMatch(STACK_LINE);
    }
    // and nothing was changed by them
    expect(git(repo, 'tag', '-l')).toBe('iris@v1\n');
  });
});

describe('push and pull carry the registry', () => {
  it('two clones register v2 of the same model at once: the second push renumbers its version to v3, and both reach the remote', async () => {
    // push and pull run the CLI; setting up runs and versions and reading them back use the SDK in this process
    const remote = tempDir();
    git(remote, 'init', '-q', '--bare');
    const alice = tempRepo();
    git(alice, 'remote', 'add', 'origin', remote);
    const first = (await registeredInProcess(alice, 'v1', 'iris')).run;
    const pushed = ok(alice, 'push');
    expect(pushed).toMatch(/^Pushed 2 registry refs to origin:\n {2}\* refs\/tags\/iris@v1\n {2}\* refs\/ml\/registry\/iris\n/m);

    const bob = tempRepo();
    git(bob, 'remote', 'add', 'origin', remote);
    expect(ok(bob, 'pull')).toMatch(/^Created 2 registry refs from origin:\n {2}\+ refs\/tags\/iris@v1\n {2}\+ refs\/ml\/registry\/iris\n/m);
    expect(withRegistry(bob, (r) => r.resolve('models:/iris/1').run_id)).toBe(first);

    // both register the next version, neither knowing of the other
    const aliceV2 = await registeredInProcess(alice, 'alice', 'iris');
    const bobV2 = await registeredInProcess(bob, 'bob', 'iris');
    expect([aliceV2.version, bobV2.version]).toEqual(['2', '2']);
    const [aliceRun, bobRun] = [aliceV2.run, bobV2.run];
    withRegistry(bob, (r) => r.setRegisteredModelAlias('iris', 'champion', '2'));

    expect(ok(alice, 'push')).toMatch(/^Pushed 1 registry ref to origin:\n {2}\* refs\/tags\/iris@v2\n/m);
    const r = gitMl(bob, ['push']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('renumbered iris v2 → v3: origin already had a v2 registered by someone else\n');
    expect(r.stdout).toMatch(/^ {2}\* refs\/tags\/iris@v3$/m);
    expect(r.stdout).not.toMatch(/Rejected/);

    // the remote has both registrations: v2 is alice's, v3 is bob's
    expect(git(remote, 'tag', '-l')).toBe('iris@v1\niris@v2\niris@v3\n');
    expect(git(remote, 'cat-file', '-t', 'iris@v3').trim()).toBe('tag');
    expect(git(remote, 'cat-file', 'blob', 'iris@v2:artifacts/model/weights.bin')).toBe('alice');
    expect(git(remote, 'cat-file', 'blob', 'iris@v3:artifacts/model/weights.bin')).toBe('bob');
    expect(git(remote, 'show', '--no-patch', 'iris@v3')).toContain(`run_id: ${bobRun}`);
    // bob's alias followed his model
    expect(withRegistry(bob, (reg) => reg.resolve('models:/iris@champion').version)).toBe('3');

    // a fresh clone reads the same registry
    const carol = tempRepo();
    git(carol, 'remote', 'add', 'origin', remote);
    const pulled = JSON.parse(ok(carol, 'pull', '--json'));
    expect(pulled.created).toEqual(expect.arrayContaining([refOf(bob, bobRun)]));
    expect(pulled.registry.created).toEqual(expect.arrayContaining(['refs/tags/iris@v1', 'refs/tags/iris@v2', 'refs/tags/iris@v3', 'refs/ml/registry/iris']));
    expect(pulled.registry.renumbered).toEqual([]);
    const show = JSON.parse(ok(carol, 'models', 'show', 'iris', '--json'));
    expect(show.model_versions.map((v: { version: string; run_id: string }) => [v.version, v.run_id])).toEqual([['3', bobRun], ['2', aliceRun], ['1', first]]);
    expect(show.registered_model.aliases).toEqual([{ alias: 'champion', version: '3' }]);
    expect(git(carol, 'cat-file', 'blob', 'iris@v3:artifacts/model/weights.bin')).toBe('bob');

    // alice catches up; then everyone is in sync
    expect(ok(alice, 'pull')).toMatch(/^ {2}\+ refs\/tags\/iris@v3$/m);
    expect(withRegistry(alice, (reg) => reg.searchModelVersions({ filter: "name = 'iris'" }).model_versions)).toHaveLength(3);
    expect(ok(alice, 'pull')).toBe('Already up to date with origin.\n');
    expect(ok(bob, 'push')).toBe('Everything up-to-date.\n');
    const again = JSON.parse(ok(bob, 'push', '--json'));
    expect(again).toEqual({ pushed: [], rejected: [], registry: { pushed: [], rejected: [] } });
    git(carol, 'fsck', '--strict');
  });

  it('a remote tag NAME@vN that is not a model version: push renumbers the local version past it', () => {
    const remote = tempDir();
    git(remote, 'init', '-q', '--bare');
    const repo = tempRepo();
    git(repo, 'remote', 'add', 'origin', remote);
    git(repo, 'tag', 'iris@v1'); // a release tag of the user's own, pushed, then deleted here
    git(repo, 'push', '-q', 'origin', 'iris@v1');
    git(repo, 'tag', '-d', 'iris@v1');
    const run = runWithModel(repo);
    ok(repo, 'models', 'register', 'iris', '--source', `runs:/${run}/model`);
    const r = gitMl(repo, ['push']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/renumbered iris v1 → v2/);
    expect(git(remote, 'cat-file', '-p', 'iris@v2')).toContain('schema: git-ml/model-version/1');
    expect(git(remote, 'cat-file', '-t', 'iris@v1').trim()).toBe('commit'); // the user's own tag, untouched
    expect(JSON.parse(ok(repo, 'models', 'show', 'iris', '--json')).model_versions.map((v: { version: string }) => v.version)).toEqual(['2']);
    expect(r.stderr).not.toMatch(STACK_LINE);
  });

  it('alias moves made in two clones are both kept after pull and push', () => {
    const remote = tempDir();
    git(remote, 'init', '-q', '--bare');
    const alice = tempRepo();
    git(alice, 'remote', 'add', 'origin', remote);
    const run = runWithModel(alice);
    ok(alice, 'models', 'register', 'iris', '--source', `runs:/${run}/model`);
    ok(alice, 'models', 'register', 'iris', '--source', `runs:/${run}/model`);
    ok(alice, 'push');
    const bob = tempRepo();
    git(bob, 'remote', 'add', 'origin', remote);
    ok(bob, 'pull');

    ok(alice, 'models', 'alias', 'iris', 'champion', '1');
    ok(bob, 'models', 'alias', 'iris', 'challenger', '2');
    ok(alice, 'push');
    const r = gitMl(bob, ['push']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Updated 1 model record:\n {2}\* refs\/ml\/registry\/iris\n/m);
    ok(alice, 'pull');
    for (const clone of [alice, bob]) {
      expect(JSON.parse(ok(clone, 'models', 'show', 'iris', '--json')).registered_model.aliases).toEqual([
        { alias: 'challenger', version: '2' },
        { alias: 'champion', version: '1' },
      ]);
    }
    const actions = JSON.parse(ok(alice, 'models', 'history', 'iris', '--json')).history.filter((e: { action: string }) => e.action === 'set_alias');
    expect(actions.map((e: { alias: string }) => e.alias)).toEqual(['champion', 'challenger']);
  });
});
