/**
 * `git-ml report` on a real repository with a base and a feature branch, runs on both; and
 * `git-ml init` with a bare remote and a fresh clone where plain `git fetch` brings the runs.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildReport, initRemotes, renderMarkdown, type Report } from '@git-ml/review';
import { RegistryClient } from '@git-ml/registry';
import { push, type MlClient } from '@git-ml/tracking';
import { caught, closeClients, git, makeRepo, openClient, removeTempDirs, tempDir } from '@git-ml/test-support';

afterEach(() => {
  closeClients();
  removeTempDirs();
});

function logRun(c: MlClient, exp: string, name: string, params: Record<string, string>, curve: { acc: number[]; loss: number[] }): string {
  const id = c.createRun(exp, { runName: name }).info.run_id;
  c.logBatch(id, { params: Object.entries(params).map(([key, value]) => ({ key, value })) as never });
  curve.acc.forEach((v, step) => c.logMetric(id, 'acc', v, { step }));
  curve.loss.forEach((v, step) => c.logMetric(id, 'loss', v, { step }));
  c.setTerminated(id);
  c.flush();
  return id;
}

/** main with two runs, a feature branch (one commit ahead) with two runs. */
async function scenario() {
  const repo = makeRepo();
  git(repo, 'branch', '-M', 'main');
  const c = openClient(repo);
  const exp = c.createExperiment('clf');
  const baseGood = logRun(c, exp, 'base-good', { lr: '0.1', depth: '3' }, { acc: [0.7, 0.8, 0.85], loss: [0.9, 0.5, 0.4] });
  logRun(c, exp, 'base-bad', { lr: '0.5', depth: '3' }, { acc: [0.6, 0.7], loss: [1, 0.8] });
  git(repo, 'checkout', '-q', '-b', 'feature');
  writeFileSync(join(repo, 'train.py'), 'print("better")\n');
  git(repo, 'commit', '-qam', 'better model');
  const up = logRun(c, exp, 'feat-up', { lr: '0.05', depth: '5' }, { acc: [0.75, 0.88, 0.9], loss: [0.8, 0.35, 0.3] });
  const down = logRun(c, exp, 'feat-down', { lr: '0.05', depth: '1' }, { acc: [0.5, 0.6], loss: [1.2, 0.9] });
  const reg = new RegistryClient({ tracking: c });
  const dir = tempDir('m-');
  writeFileSync(join(dir, 'model.bin'), 'w');
  await c.logArtifacts(up, dir, 'model');
  reg.createModelVersion('clf', `runs:/${up}/model`);
  reg.setRegisteredModelAlias('clf', 'challenger', 1);
  return { repo, c, reg, exp, baseGood, up, down };
}

describe('git-ml report', () => {
  it('compares branch runs with the best base run, with deltas, directions, registry changes and charts', async () => {
    const { c, reg, baseGood, up, down } = await scenario();
    const report: Report = buildReport(c, reg, { base: 'main' });
    expect(report.runs.map((r) => r.run_name)).toEqual(['feat-down', 'feat-up']);
    expect(report.baseRunCount).toBe(2);
    expect(report.metrics).toEqual([
      { key: 'acc', direction: 'max' },
      { key: 'loss', direction: 'min' },
    ]);
    expect(report.baseline?.run_id).toBe(baseGood);
    const cmp = (run: string, m: string) => report.comparisons.find((x) => x.run_id === run && x.metric === m)!;
    expect(cmp(up, 'acc')).toMatchObject({ value: 0.9, base: 0.85, verdict: 'better' });
    expect(cmp(up, 'acc').delta).toBeCloseTo(0.05, 10);
    expect(cmp(up, 'loss')).toMatchObject({ value: 0.3, base: 0.4, verdict: 'better' });
    expect(cmp(down, 'acc')).toMatchObject({ value: 0.6, verdict: 'worse' });
    expect(cmp(down, 'loss')).toMatchObject({ value: 0.9, verdict: 'worse' });
    expect(report.registry.versions).toEqual([{ name: 'clf', version: '1', run_id: up, source: `runs:/${up}/model`, aliases: ['challenger'] }]);
    expect(report.registry.aliasMoves.map((a) => [a.alias, a.version])).toEqual([['challenger', '1']]);

    const md = renderMarkdown(report);
    expect(md).toContain('## git-ml: runs on `feature` vs `main`');
    expect(md).toMatch(/\| feat-up `…[0-9a-f]{8}` \| `[0-9a-f]{8}` \| 0\.9 \(\+0\.05 🟢 better\) \| 0\.3 \(-0\.1 🟢 better\) \|/);
    expect(md).toMatch(/feat-down .*0\.6 \(-0\.25 🔴 worse\)/);
    expect(md).toContain(`git-ml runs show ${up}`);
    expect(md).toContain('new version **clf v1**');
    for (const block of mermaidBlocks(md)) checkXyChart(block);
    expect(mermaidBlocks(md).length).toBe(3); // acc bars, loss bars, acc curve
    // --metric with an explicit direction; the first metric picks the base run
    const byLoss = buildReport(c, reg, { base: 'main', metrics: ['loss'] });
    expect(byLoss.baseline?.run_id).toBe(baseGood);
    expect(buildReport(c, reg, { base: 'main', metrics: ['acc:min'] }).baseline?.run_name).toBe('base-bad');
  });

  it('says what is wrong for an unknown base or experiment', async () => {
    const { c, reg } = await scenario();
    expect(caught(() => buildReport(c, reg, { base: 'nope' })).message).toMatch(/Unknown base 'nope'/);
    expect(caught(() => buildReport(c, reg, { base: 'main', experiment: 'ghost' })).message).toMatch(/Experiment 'ghost' not found/);
    expect(caught(() => buildReport(c, reg, { base: 'main', metrics: [':max'] })).message).toMatch(/Invalid --metric/);
  });

  it('git diff of two run refs is line-oriented YAML that reads well', async () => {
    const { repo, exp, up, down } = await scenario();
    const diff = git(repo, 'diff', `refs/ml/runs/${exp}/${up}`, `refs/ml/runs/${exp}/${down}`, '--', 'params.yaml');
    expect(diff).toMatch(/^-depth: "5"$/m);
    expect(diff).toMatch(/^\+depth: "1"$/m);
    expect(diff).toMatch(/^ lr: "0\.05"$/m);
    expect(diff.split('\n').filter((l) => /^[-+][^-+]/.test(l))).toHaveLength(2);
  });
});

describe('git-ml init', () => {
  it('makes plain git fetch bring runs and version tags, idempotently, without changing push', async () => {
    const bare = tempDir('bare-');
    git(bare, 'init', '-q', '--bare');
    const { repo, c, up } = await scenario();
    git(repo, 'remote', 'add', 'origin', bare);
    git(repo, 'push', '-q', 'origin', 'main', 'feature');
    push(c);
    git(repo, 'push', '-q', 'origin', 'refs/tags/clf@v1');

    const clone = join(tempDir('clone-'), 'w');
    git(tempDir(), 'clone', '-q', bare, clone);
    expect(git(clone, 'for-each-ref', 'refs/ml')).toBe('');
    const first = initRemotes(clone);
    expect(first).toEqual([{ remote: 'origin', added: ['refs/ml/*:refs/ml/*', 'refs/tags/*:refs/tags/*'], alreadyThere: [] }]);
    expect(initRemotes(clone)).toEqual([{ remote: 'origin', added: [], alreadyThere: ['refs/ml/*:refs/ml/*', 'refs/tags/*:refs/tags/*'] }]);
    expect(git(clone, 'config', '--get-all', 'remote.origin.fetch').split('\n')).toHaveLength(3);
    expect(() => git(clone, 'config', '--get', 'remote.origin.push')).toThrow(); // push is not configured
    git(clone, 'fetch', '-q');
    expect(git(clone, 'for-each-ref', '--format=%(refname)', 'refs/ml/runs')).toContain(up);
    expect(git(clone, 'cat-file', '-t', 'clf@v1')).toBe('tag');
    const cc = openClient(clone);
    expect(cc.getRun(up).info.run_name).toBe('feat-up');
    expect(caught(() => initRemotes(clone, ['upstream'])).message).toMatch(/No remote named 'upstream'/);
  });
});

function mermaidBlocks(md: string): string[] {
  return [...md.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1]);
}

/** A strict check of the xychart-beta subset we emit (Mermaid's grammar for these statements). */
function checkXyChart(block: string): void {
  const lines = block.trim().split('\n');
  expect(lines[0]).toBe('xychart-beta');
  const str = String.raw`"[^"\n]*"`;
  const num = String.raw`-?\d+(?:\.\d+)?(?:e[-+]?\d+)?`;
  const grammar = [
    new RegExp(`^    title ${str}$`),
    new RegExp(`^    x-axis(?: ${str})? \\[${str}(?:, ${str})*\\]$`),
    new RegExp(`^    y-axis ${str}$`),
    new RegExp(`^    (?:bar|line) \\[${num}(?:, ${num})*\\]$`),
  ];
  let categories = -1;
  for (const l of lines.slice(1)) {
    expect(grammar.some((g) => g.test(l)), `bad xychart line: ${l}`).toBe(true);
    const cats = /^    x-axis.*\[(.*)\]$/.exec(l);
    if (cats) categories = cats[1].split('", "').length;
    const data = /^    (?:bar|line) \[(.*)\]$/.exec(l);
    if (data) expect(data[1].split(', ').length).toBe(categories);
  }
}

describe('examples/github-actions', () => {
  it('fetches refs/ml and the tags, runs the report against the base, and updates one comment by its marker', async () => {
    const { readFileSync } = await import('node:fs');
    const { parse } = await import('yaml');
    const { REPORT_MARKER } = await import('@git-ml/review');
    const text = readFileSync(new URL('../../../examples/github-actions/git-ml-report.yml', import.meta.url), 'utf8');
    const wf = parse(text) as { on: { pull_request: unknown }; permissions: Record<string, string>; jobs: { report: { steps: { run?: string; uses?: string; with?: Record<string, unknown> }[] } } };
    expect(wf.on.pull_request).toBeTruthy();
    expect(wf.permissions['pull-requests']).toBe('write');
    const steps = wf.jobs.report.steps;
    const runs = steps.map((s) => s.run ?? '').join('\n');
    expect(runs).toContain("'+refs/ml/*:refs/ml/*'");
    expect(runs).toMatch(/git-ml report --base "origin\/\$\{\{ github\.base_ref \}\}" > report\.md/);
    expect(steps.find((s) => s.uses?.startsWith('actions/checkout'))?.with?.['fetch-depth']).toBe(0);
    expect(String(steps.find((s) => s.uses?.startsWith('actions/github-script'))?.with?.script)).toContain(`'${REPORT_MARKER}'`);
  });
});
