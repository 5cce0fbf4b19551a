import { beforeAll, describe, expect, it } from 'vitest';
import { gitMl, ok, startRun, tempRepo } from './harness.js';

function ids(repo: string, ...args: string[]): string[] {
  return JSON.parse(ok(repo, 'runs', 'list', '--json', ...args)).runs.map((r: { info: { run_name: string } }) => r.info.run_name);
}

describe('runs list --filter and --order-by', () => {
  let repo = '';
  beforeAll(() => {
    repo = tempRepo();
    const runs: [string, string, string][] = [
      ['adam-good', 'adam', '0.95'],
      ['adam-bad', 'adam', '0.50'],
      ['sgd-good', 'sgd', '0.90'],
      ['rms-good', 'rmsprop', '0.99'],
    ];
    for (const [name, opt, acc] of runs) {
      const id = startRun(repo, '--experiment', 'search', '--name', name);
      ok(repo, 'runs', 'log', id, '--param', `opt=${opt}`, '--metric', `acc=${acc}`);
    }
  }, 30_000);

  it('supports OR with parentheses: (A OR B) AND C', () => {
    const got = ids(repo, '--filter', "(params.opt = 'adam' OR params.opt = 'sgd') AND metrics.acc > 0.8", '--order-by', 'metrics.acc DESC');
    expect(got).toEqual(['adam-good', 'sgd-good']);
  });

  it('binds AND tighter than OR without parentheses: A OR B AND C', () => {
    const got = ids(repo, '--filter', "params.opt = 'rmsprop' OR params.opt = 'adam' AND metrics.acc < 0.6", '--order-by', 'attributes.run_name ASC');
    expect(got).toEqual(['adam-bad', 'rms-good']);
  });

  it('orders by several keys', () => {
    expect(ids(repo, '--order-by', 'params.opt ASC', '--order-by', 'metrics.acc ASC')).toEqual(['adam-bad', 'adam-good', 'rms-good', 'sgd-good']);
  });

  it('limits the search to the experiments named with --experiment', () => {
    startRun(repo, '--experiment', 'other', '--name', 'elsewhere');
    expect(ids(repo, '--experiment', 'other')).toEqual(['elsewhere']);
    expect(ids(repo)).toContain('elsewhere');
    expect(ids(repo, '--experiment', 'search')).not.toContain('elsewhere');
  });

  it('keeps the caret of a malformed filter under the wrong character, exit code 1', () => {
    const filter = "metrics.acc > 0.5 and parms.opt = 'adam'";
    const r = gitMl(repo, ['runs', 'list', '--filter', filter]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n');
    expect(lines[0]).toMatch(/^git-ml: error: Invalid filter at position 22: unknown prefix 'parms\.'/);
    expect(lines[1]).toBe(`  ${filter}`);
    expect(lines[2]).toBe(`  ${' '.repeat(filter.indexOf('parms'))}^`);
    expect(lines.slice(3)).toEqual(['']);
  });

  it('keeps the caret of a malformed filter that ends too early, and of a malformed --order-by', () => {
    const early = gitMl(repo, ['runs', 'list', '--filter', 'metrics.acc >']);
    expect(early.code).toBe(1);
    expect(early.stderr.split('\n').slice(1)).toEqual(['  metrics.acc >', `  ${' '.repeat('metrics.acc >'.length)}^`, '']);
    const order = gitMl(repo, ['runs', 'list', '--order-by', 'metrics.acc DESCX']);
    expect(order.code).toBe(1);
    expect(order.stderr.split('\n')).toEqual([
      "git-ml: error: Invalid order_by clause at position 12: expected ASC, DESC or the end of the clause after 'metrics.acc', found 'DESCX'",
      '  metrics.acc DESCX',
      `  ${' '.repeat(12)}^`,
      '',
    ]);
  });

  it('models list, the other --filter, speaks the same grammar and points at the wrong character', () => {
    const models = gitMl(repo, ['models', 'list', '--filter', "name LIKE 'x%' OR nme = 1"]);
    expect(models.code).toBe(1);
    expect(models.stderr.split('\n')).toEqual([
      "git-ml: error: Invalid filter at position 18: unknown attribute 'nme'; attributes of registered models are name (for a tag write tags.nme)",
      "  name LIKE 'x%' OR nme = 1",
      `  ${' '.repeat(18)}^`,
      '',
    ]);
  });

  it('prints a table with the common metric and param columns', () => {
    const table = ok(repo, 'runs', 'list', '--experiment', 'search');
    const [header, ...rows] = table.trimEnd().split('\n');
    expect(header).toMatch(/^RUN ID\s+NAME\s+EXPERIMENT\s+STATUS\s+START\s+DURATION\s+metrics\.acc\s+params\.opt$/);
    expect(rows).toHaveLength(4);
    expect(rows.find((r) => r.includes('sgd-good'))).toMatch(/search\s+RUNNING\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+\S+\s+0\.9\s+sgd$/);
  });
});
