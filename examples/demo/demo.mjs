#!/usr/bin/env node
// A short tour of git-ml Tracking: log a few runs into a fresh git repository, search them, share
// them with plain git. Run it with `npm run demo` (or `npm run workshop` until the workshop lands).
// Usage: node examples/demo/demo.mjs [--repo DIR]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MlClient, push } from '@git-ml/tracking';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', '..', 'packages', 'cli', 'bin', 'git-ml.js');
const i = process.argv.indexOf('--repo');
const repo = i > 0 ? process.argv[i + 1] : mkdtempSync(join(tmpdir(), 'git-ml-demo-'));
const sh = (cmd, args, cwd = repo) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const say = (s) => console.log(`\n\x1b[1m${s}\x1b[0m`);
const show = (cmd, args) => {
  console.log(`$ ${[cmd === process.execPath ? 'git-ml' : cmd, ...args.slice(cmd === process.execPath ? 1 : 0)].join(' ')}`);
  console.log(sh(cmd, args).trimEnd());
};

mkdirSync(repo, { recursive: true });
try {
  sh('git', ['rev-parse', '--git-dir']);
} catch {
  sh('git', ['init', '-q']);
  writeFileSync(join(repo, 'train.js'), '// your training code\n');
  sh('git', ['add', '.']);
  sh('git', ['-c', 'user.name=demo', '-c', 'user.email=demo@localhost', 'commit', '-qm', 'training code']);
}
say(`1. Tracking into the git repository at ${repo} (MLflow: tracking URI → a repository)`);
const client = new MlClient({ repo });
const expId = client.getExperimentByName('churn')?.experiment_id ?? client.createExperiment('churn');
for (const [lr, depth] of [[0.1, 3], [0.03, 4], [0.01, 6]]) {
  const run = client.createRun(expId, { runName: `gbdt-lr${lr}-d${depth}` });
  const id = run.info.run_id;
  client.logBatch(id, { params: { model: 'gbdt', lr, depth } });
  let loss = 0.7;
  for (let step = 0; step < 20; step++) {
    loss *= 1 - lr * (1 + depth / 10);
    client.logMetric(id, 'val_loss', loss, { step });
  }
  client.logMetric(id, 'test_accuracy', 0.8 + lr + depth / 100);
  client.logText(id, `lr=${lr} depth=${depth}\n`, 'notes/config.txt');
  client.setTerminated(id);
  console.log(`run ${id}  ${run.info.run_name}`);
}
client.flush();
say('2. Each run is a commit on its own ref (MLflow: run → refs/ml/runs/<experiment>/<run>)');
show('git', ['for-each-ref', '--format=%(objectname:short) %(refname)', 'refs/ml/']);
say('3. Searching runs with MLflow filter syntax (plus OR and parentheses)');
const found = client.searchRuns(expId, "params.model = 'gbdt' and (metrics.test_accuracy > 0.85 or params.depth = '3')", { orderBy: ['metrics.test_accuracy DESC'] });
for (const r of found.runs) console.log(`${r.info.run_name.padEnd(18)} test_accuracy=${r.data.metrics.find((m) => m.key === 'test_accuracy').value.toFixed(3)}`);
say('4. The same from the shell');
show(process.execPath, [cli, 'runs', 'list', '--experiment', 'churn']);
const best = found.runs[0];
say('5. A run record is plain YAML in git');
show('git', ['show', `${best.info.artifact_uri.split(':')[0]}:params.yaml`]);
say('6. Sharing is git push: a bare repository stands in for your remote');
const remote = mkdtempSync(join(tmpdir(), 'git-ml-demo-remote-'));
sh('git', ['init', '-q', '--bare', remote]);
sh('git', ['remote', 'add', 'origin', remote]);
const pushed = push(client, 'origin');
console.log(`pushed ${pushed.pushed.length} refs to ${remote}`);
client.close();
say('Next');
console.log(`  cd ${repo}`);
console.log('  git ml runs list            # with packages/cli/bin on PATH, or: npx git-ml runs list');
console.log(`  git ml runs show ${best.info.run_id}`);
console.log('  git log --oneline --glob=refs/ml/runs');
