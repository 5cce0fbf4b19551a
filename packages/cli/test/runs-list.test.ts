import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, gitMl, ok, startRun, tempRepo } from './harness.js';

const NAMES = ['proud-ant-354-reproduced', 'gbdt-lr0.3-depth3-final', 'logreg-C0.1'];

/** The table's header cells (split at two or more spaces). */
const headerOf = (table: string) => table.split('\n')[0].split(/\s{2,}/);

describe('runs list columns and width', () => {
  let repo = '';
  const ids: string[] = [];
  beforeAll(() => {
    repo = tempRepo();
    NAMES.forEach((name, i) => {
      const id = startRun(repo, '--experiment', 'workshop', '--name', name, '--tag', `team=t${i}`);
      ok(repo, 'runs', 'log', id, '--param', `lr=0.${i + 1}`, '--param', `model=m${i}`, '--param', 'seed=7', '--metric', `val_loss=0.${3 + i}`, '--metric', `test_accuracy=0.${8 + i}`, '--metric', `test_f1=0.8${i}`, '--metric', 'test_roc_auc=0.9');
      ok(repo, 'runs', 'end', id);
      ids.push(id);
    });
  }, 60_000);

  it('--columns shows exactly the columns asked for, in order, after the fixed ones', () => {
    const r = gitMl(repo, ['runs', 'list', '--columns', 'params.lr,metrics.val_loss,tags.team,attributes.user_id'], { COLUMNS: '250' });
    expect(r.code, r.stderr).toBe(0);
    expect(headerOf(r.stdout)).toEqual(['RUN ID', 'NAME', 'EXPERIMENT', 'STATUS', 'START', 'DURATION', 'params.lr', 'metrics.val_loss', 'tags.team', 'user_id']);
    const row = r.stdout.split('\n').find((l) => l.includes('logreg-C0.1'))!;
    expect(row.startsWith(ids[2])).toBe(true); // wide enough: full ids
    expect(row).toMatch(/ 0\.3 +0\.5 +t2 +\S+$/);
  });

  it('always shows the keys of --order-by and --filter, even at 80 columns and with --columns', () => {
    const r = gitMl(repo, ['runs', 'list', '--columns', 'params.lr', '--order-by', 'metrics.test_f1 DESC', '--filter', "params.seed = '7' and tags.team != 'x'"], { COLUMNS: '100' });
    expect(r.code, r.stderr).toBe(0);
    expect(headerOf(r.stdout).slice(-4)).toEqual(['params.lr', 'metrics.test_f1', 'params.seed', 'tags.team']);
    const rows = r.stdout.trimEnd().split('\n').slice(1);
    expect(rows.map((l) => l.split(/\s{2,}/)[1])).toEqual([NAMES[2], NAMES[1], NAMES[0]]); // sorted by test_f1 DESC
    for (const l of r.stdout.split('\n')) expect(l.length).toBeLessThanOrEqual(100);
    const narrow = gitMl(repo, ['runs', 'list', '--order-by', 'metrics.test_f1 DESC', '--filter', "params.seed = '7'"], { COLUMNS: '80' });
    expect(headerOf(narrow.stdout).slice(-2)).toEqual(['metrics.test_f1', 'params.seed']);
    for (const l of narrow.stdout.split('\n')) expect(l.length).toBeLessThanOrEqual(80);
    // the default sort key start_time is a fixed column: sorting by it keeps START
    const byStart = gitMl(repo, ['runs', 'list', '--order-by', 'attributes.start_time ASC', '--columns', 'metrics.val_loss,metrics.test_f1,metrics.test_accuracy'], { COLUMNS: '80' });
    expect(headerOf(byStart.stdout)).toContain('START');
  });

  it('at 80 columns names stay whole, ids shrink to a prefix that runs show accepts, and a metric still fits', () => {
    const r = gitMl(repo, ['runs', 'list'], { COLUMNS: '80' });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
    expect(headerOf(r.stdout).slice(0, 3)).toEqual(['RUN ID', 'NAME', 'STATUS']);
    expect(headerOf(r.stdout).some((h) => h.startsWith('metrics.'))).toBe(true);
    for (const [i, name] of NAMES.entries()) {
      const row = lines.find((l) => l.includes(name));
      expect(row, `${name} is shown whole`).toBeDefined();
      const short = row!.split(/\s+/)[0];
      expect(short.length).toBeGreaterThanOrEqual(8);
      expect(short.length).toBeLessThan(32);
      expect(ids[i].startsWith(short)).toBe(true);
      expect(JSON.parse(ok(repo, 'runs', 'show', short, '--json')).run.info.run_id).toBe(ids[i]);
    }
  });

  it('at 120 columns (no terminal) the table shows the metrics most runs have', () => {
    const r = gitMl(repo, ['runs', 'list'], { COLUMNS: '' });
    const header = headerOf(r.stdout);
    expect(r.stdout.split('\n')[0].length).toBeLessThanOrEqual(120);
    expect(header.filter((h) => h.startsWith('metrics.')).length).toBeGreaterThanOrEqual(3);
  });

  it('a terminal that reports 0 columns gets 80, and one that reports its size gets that', () => {
    const inTerminal = (stty: string) =>
      spawnSync('script', ['-qec', `stty ${stty}; "${process.execPath}" "${BIN}" runs list`, '/dev/null'], { cwd: repo, env: cleanEnv({ COLUMNS: '' }), encoding: 'utf8' });
    const zero = inTerminal('cols 0 rows 0');
    expect(zero.status, zero.stderr).toBe(0);
    const lines = zero.stdout.replace(/\r/g, '').trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(Math.max(...lines.map((l) => l.length))).toBeGreaterThan(60);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(80);
    for (const name of NAMES) expect(zero.stdout).toContain(name);
    const wide = inTerminal('cols 200 rows 50').stdout.replace(/\r/g, '').trimEnd().split('\n');
    expect(Math.max(...wide.map((l) => l.length))).toBeGreaterThan(120);
    expect(wide[1]).toContain(NAMES[2]);
    expect(headerOf(wide.join('\n'))).toContain('START');
    expect(headerOf(lines.join('\n'))).not.toContain('START');
  });

  it('a bad --columns entry gets a caret under it and exit code 1', () => {
    const r = gitMl(repo, ['runs', 'list', '--columns', 'params.lr,metricz.loss']);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n').slice(0, 3)).toEqual([expect.stringMatching(/^git-ml: error: Invalid --columns at position 10: unknown prefix 'metricz\.'/), '  params.lr,metricz.loss', `  ${' '.repeat(10)}^`]);
  });
});
