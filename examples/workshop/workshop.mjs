#!/usr/bin/env node
// The git-ml workshop: MLflow's classic tour — data, tracking, registry, models, projects — on git.
// Usage: npm run workshop [-- --repo DIR]   (default: a fresh temporary repository)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatCsv, readCsv } from '@git-ml/datasets';
import { loadModel, serveModel } from '@git-ml/models';
import { RegistryClient } from '@git-ml/registry';
import { getClient, setExperiment, setTrackingRepo } from '@git-ml/tracking';
import { generatedData, train } from './train.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const CLI = join(ROOT, 'packages/cli/bin/git-ml.js');
const FIXTURE = join(ROOT, 'fixtures/classification_1000x20_seed42.csv');
const started = Date.now();

const { values } = parseArgs({ options: { repo: { type: 'string' } } });
const repo = resolve(values.repo ?? join(mkdtempSync(join(tmpdir(), 'git-ml-workshop-')), 'repo'));
const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const step = (n, title, concept) => console.log(`\n${bold(`${n}. ${title}`)}  — ${concept}`);
const say = (s) => console.log(`   ${s}`);
const look = (cmd) => console.log(`   $ ${cmd}`);
const git = (...a) => execFileSync('git', a, { cwd: repo, encoding: 'utf8' }).trim();
const gitMl = (...a) => {
  const r = spawnSync(process.execPath, [CLI, ...a], { cwd: repo, encoding: 'utf8', env: { ...process.env, GIT_ML_REPO: repo } });
  if (r.status !== 0 && a[0] !== 'reproduce') throw new Error(`git-ml ${a.join(' ')} failed:\n${r.stderr}`);
  return r;
};
const progress = (label) => (i, n) => {
  if (process.stdout.isTTY) process.stdout.write(`\r   ${label} ${'█'.repeat(Math.round((i / n) * 20)).padEnd(20, '·')} ${i}/${n}${i === n ? '\n' : ''}`);
};

// ---------------------------------------------------------------------------------------------
console.log(bold('git-ml workshop') + ` — MLflow's tour, stored in git. Repository: ${repo}`);
mkdirSync(repo, { recursive: true });
if (spawnSync('git', ['rev-parse', '--git-dir'], { cwd: repo }).status !== 0) {
  execFileSync('git', ['init', '-q', repo]);
  writeFileSync(join(repo, 'README.md'), '# workshop\n');
  git('add', '.');
  git('-c', 'user.name=workshop', '-c', 'user.email=workshop@localhost', 'commit', '-qm', 'start the workshop');
}
setTrackingRepo(repo);

step(0, 'Data', "scikit-learn's make_classification and train_test_split, seeded");
const data = generatedData(42);
const fixture = await readCsv(FIXTURE);
const all = [...data.train.X, ...data.test.X];
const fixtureRows = new Map(fixture.rows.map((r) => [r.slice(0, 20).map((v) => v.toFixed(9)).join(), r[20]]));
const same = all.filter((r) => fixtureRows.has(r.map((v) => v.toFixed(9)).join())).length;
say(`1000 rows × 20 features (5 informative…), 80/20 split: ${data.train.X.length} train, ${data.test.X.length} test.`);
say(`side-by-side with scikit-learn's own make_classification(1000, 20, random_state=42): ${same}/1000 rows identical.`);
mkdirSync(join(repo, 'data'), { recursive: true });
const csv = (part) => formatCsv({ columns: [...data.features, 'target'], rows: part.X.map((r, i) => [...r, part.y[i]]) });
writeFileSync(join(repo, 'data/train.csv'), csv(data.train));
writeFileSync(join(repo, 'data/test.csv'), csv(data.test));
say('wrote data/train.csv and data/test.csv (CSV import is how the project in step 4 reads them).');

step(1, 'Tracking', 'experiments, runs, params, metrics (loss curves), artifacts, models');
const exp = setExperiment('workshop');
say(`experiment 'workshop' → ref refs/ml/experiments/${exp.experiment_id}`);
const configs = [
  { model: 'logreg', C: 0.1 },
  { model: 'logreg', C: 1.0 },
  { model: 'logreg', C: 10 },
  { model: 'gbdt', learning_rate: 0.1, n_estimators: 100, max_depth: 3 },
  { model: 'gbdt', learning_rate: 0.3, n_estimators: 100, max_depth: 3 },
];
const results = [];
for (const c of configs) {
  const label = c.model === 'gbdt' ? `gbdt lr=${c.learning_rate} depth=${c.max_depth}` : `logreg C=${c.C}`;
  const r = await train(c, { onProgress: progress(label.padEnd(22)) });
  results.push({ ...r, label });
  say(`${label.padEnd(22)} test_accuracy=${r.metrics.test_accuracy.toFixed(3)} roc_auc=${r.metrics.test_roc_auc.toFixed(3)}  run ${r.runId}`);
}
getClient().flush();
const one = results[0];
say('each run is a commit on its own ref; its params, metrics (every step), pictures and model are files in it:');
look(`git log --oneline refs/ml/runs/${exp.experiment_id}/${one.runId}`);
look(`git show refs/ml/runs/${exp.experiment_id}/${one.runId}:params.yaml`);
look(`git ls-tree -r --name-only refs/ml/runs/${exp.experiment_id}/${one.runId} artifacts/`);
for (const f of git('ls-tree', '-r', '--name-only', `refs/ml/runs/${exp.experiment_id}/${one.runId}`, 'artifacts/').split('\n')) say(`  ${f}`);

step(2, 'Model Registry', "registered models, versions as annotated git tags, aliases with history");
const registry = new RegistryClient({ tracking: getClient() });
const NAME = 'workshop-classifier';
for (const r of results) r.version = registry.createModelVersion(NAME, r.model_uri, undefined, { description: r.label }).version;
const ranked = [...results].sort((a, b) => b.metrics.test_accuracy - a.metrics.test_accuracy || b.metrics.test_roc_auc - a.metrics.test_roc_auc);
say(`the champion is the best by test_accuracy (ties: test_roc_auc): ${ranked[0].label} (v${ranked[0].version}); challenger: ${ranked[1].label} (v${ranked[1].version}).`);
registry.setRegisteredModelAliases(NAME, { champion: ranked[0].version, challenger: ranked[1].version });
look(`git tag -l '${NAME}@v*'   →  ${git('tag', '-l', `${NAME}@v*`).split('\n').join(' ')}`);
look(`git show ${NAME}@v${ranked[0].version} --no-patch   (the tag message is the version's record)`);
say('history:');
for (const e of registry.history(NAME)) say(`  ${new Date(e.timestamp).toISOString().slice(11, 19)}  ${e.user}  ${e.detail}`);

step(3, 'Models', 'load models:/NAME@champion, predict, serve with the MLflow scoring protocol');
const champion = await loadModel(`models:/${NAME}@champion`, { client: getClient() });
const held = data.test.X.slice(0, 5).map((r) => Object.fromEntries(data.features.map((f, i) => [f, r[i]])));
say(`predict on 5 held-out rows: [${(await champion.predict(held)).join(', ')}]   (truth: [${data.test.y.slice(0, 5).join(', ')}])`);
const { app, url } = await serveModel(champion, { port: 0 });
const body = { dataframe_split: { columns: data.features, data: data.test.X.slice(0, 3) } };
const answer = await (await fetch(`${url}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json();
say(`served at ${url}: POST /invocations {"dataframe_split": …3 rows} → ${JSON.stringify(answer)}`);
await app.close();
say('stopped. From a shell: git ml models serve -m models:/workshop-classifier@champion --port 5001');

step(4, 'Projects', 'an MLproject entry point run as a tracked run, then reproduced from its commit');
look(`git ml run ${HERE} -e train --env-manager local -P model=gbdt -P train_csv=${join(repo, 'data/train.csv')} -P test_csv=${join(repo, 'data/test.csv')} --experiment workshop`);
const run = gitMl('run', HERE, '-e', 'train', '--env-manager', 'local', '-P', 'model=gbdt', '-P', `train_csv=${join(repo, 'data/train.csv')}`, '-P', `test_csv=${join(repo, 'data/test.csv')}`, '--experiment', 'workshop', '--json');
const projectRun = JSON.parse(run.stdout);
say(`run ${projectRun.runId}: ${projectRun.status}; its command was: ${projectRun.command}`);
look(`git ml reproduce ${projectRun.runId}`);
const rep = gitMl('reproduce', projectRun.runId, '--env-manager', 'local');
say(rep.stdout.trim().split('\n').join('\n   '));
say(rep.status === 0 ? 'reproduced exactly: every metric is the same.' : `reproduce exited ${rep.status}: ${rep.stderr.trim()}`);

console.log(`\n${bold('Where to look next')} (in ${repo}, ${((Date.now() - started) / 1000).toFixed(1)} s in all):`);
look('git ml runs list --experiment workshop --order-by "metrics.test_accuracy DESC"');
look(`git ml runs history ${projectRun.runId.slice(0, 8)} test_accuracy   # a metric's points, charted in the terminal`);
look('git ml ui                  # the web UI: runs table, charts, compare, registry (http://127.0.0.1:5000/)');
look(`git ml models show ${NAME}`);
look(`git ml models history ${NAME}`);
look('git ml report --base HEAD~1   # after you commit a change and train again');
look('git for-each-ref refs/ml');
console.log(`\n\`git ml\` needs git-ml on your PATH: run \`npm link -w git-ml\` here once (or add ${dirname(CLI)} to PATH);`);
console.log('`git ml help` prints the command list, `git ml --help` opens the git-ml(1) man page. Installing elsewhere: docs/install.md');
getClient().close();
