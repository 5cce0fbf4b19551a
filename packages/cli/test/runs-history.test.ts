import { MlClient } from '@git-ml/tracking';
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { BIN, cleanEnv, gitMl, ok, startRun, tempRepo } from './harness.js';

const BLANK = '\u2800';
const isBraille = (c: string) => c >= '\u2800' && c <= '\u28ff';

/** The chart's plot rows (the lines with the y axis), and the cells right of the axis. */
function plotRows(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => /[┤│]/.test(l))
    .map((l) => l.slice(l.search(/[┤│]/) + 1));
}

describe('runs history', () => {
  let repo = '';
  let run = '';
  beforeAll(() => {
    repo = tempRepo();
    run = startRun(repo, '--name', 'curve');
    const flags = ['loss=1@0', 'loss=0.5@1', 'loss=nan@2', 'loss=0.25@3', 'loss=inf@4', 'loss=0.125@5', 'acc=0.9@5'].flatMap((m) => ['--metric', m]);
    ok(repo, 'runs', 'log', run, ...flags);
  }, 30_000);

  it('--json prints every point of every key in logging order, NaN and Infinity as strings', () => {
    const doc = JSON.parse(ok(repo, 'runs', 'history', run, 'loss', 'acc', '--json'));
    expect(doc.run_id).toBe(run);
    expect(doc.metrics.map((m: { key: string; value: unknown; step: number }) => [m.key, m.value, m.step])).toEqual([
      ['loss', 1, 0],
      ['loss', 0.5, 1],
      ['loss', 'NaN', 2],
      ['loss', 0.25, 3],
      ['loss', 'Infinity', 4],
      ['loss', 0.125, 5],
      ['acc', 0.9, 5],
    ]);
    expect(typeof doc.metrics[0].timestamp).toBe('number');
  });

  it('prints a summary, a braille chart that leaves NaN and inf out, and the table with nan and inf', () => {
    const out = ok(repo, 'runs', 'history', run, 'loss', '--height', '4');
    const lines = out.split('\n');
    expect(lines[0]).toBe('loss  6 points · steps 0–5 · min 0.125 (step 5) · max 1 (step 0) · last 0.125 (step 5) · 1 NaN, 1 infinite not drawn');
    const rows = plotRows(out);
    expect(rows).toHaveLength(4);
    expect(lines[1]).toMatch(/^    1 ┤/);
    expect(lines[4]).toMatch(/^0\.125 ┤/);
    // the curve starts at the top left (1 at step 0) and ends at the bottom right (0.125 at step 5)
    expect(rows[0][0]).not.toBe(BLANK);
    expect(rows[3].trimEnd().length).toBeGreaterThan(rows[0].trimEnd().length);
    expect([...rows.join('')].every(isBraille)).toBe(true);
    expect(out).toMatch(/└─+\n +0 +5 \(step\)\n/);
    const table = lines.slice(lines.findIndex((l) => l.startsWith('STEP')));
    expect(table.slice(0, 7)).toEqual([
      'STEP  TIME                 VALUE',
      ...table.slice(1, 7).map((l) => expect.stringMatching(/^ {3}\d  \d{4}-\d\d-\d\d \d\d:\d\d:\d\d +\S+$/)),
    ]);
    expect(table.slice(1, 7).map((l) => l.split(/\s+/).pop())).toEqual(['1', '0.5', 'nan', '0.25', 'inf', '0.125']);
  });

  it('charts and tables each key, fitting the terminal width', () => {
    const r = gitMl(repo, ['runs', 'history', run, 'loss', 'acc'], { COLUMNS: '50' });
    expect(r.code).toBe(0);
    for (const line of r.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(50);
    expect(r.stdout).toMatch(/\n\nacc  1 point · step 5 · min 0\.9 \(step 5\)\n    max 0\.9 \(step 5\) · last 0\.9 \(step 5\)\n\nSTEP/);
    expect(plotRows(r.stdout)).toHaveLength(8); // loss's chart only: a single point draws no curve
  });

  it('names the metrics a run has when a key is missing, exit 1', () => {
    const r = gitMl(repo, ['runs', 'history', run, 'los']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`git-ml: error: Run ${run} has no metric 'los'. Its metrics: acc, loss.\n`);
  });

  it('draws 100 000 points fast, spike included, and lists only the last 20 unless --all', () => {
    const big = tempRepo();
    const client = new MlClient({ repo: big });
    const id = client.createRun('0', { runName: 'long' }).info.run_id;
    const SPIKE = 61_234;
    for (let from = 0; from < 100_000; from += 1000) {
      const metrics = Array.from({ length: 1000 }, (_, i) => ({ key: 'loss', value: from + i === SPIKE ? 50 : 1 / (1 + (from + i) / 1000), step: from + i, timestamp: 1_700_000_000_000 + from + i }));
      client.logBatch(id, { metrics });
    }
    client.setTerminated(id);
    client.close();

    const started = performance.now();
    const r = gitMl(big, ['runs', 'history', id, 'loss'], { COLUMNS: '102' });
    const ms = performance.now() - started;
    expect(r.code).toBe(0);
    console.log(`runs history, 100 000 points: ${ms.toFixed(0)} ms (the whole command: node start, read, chart)`);
    expect(ms).toBeLessThan(5000);
    expect(r.stdout.split('\n').slice(0, 2)).toEqual(['loss  100,000 points · steps 0–99999 · min 0.00990109 (step 99999) · max 50 (step 61234)', '    last 0.00990109 (step 99999)']);
    // the one spike among 100 000 points reaches the top row, at about 61% of the width
    const top = plotRows(r.stdout)[0];
    const cells = [...top];
    const lit = cells.map((c, i) => (c !== BLANK && c !== ' ' ? i : -1)).filter((i) => i >= 0);
    expect(lit.length).toBe(1);
    expect(Math.abs(lit[0] / 90 - 0.61)).toBeLessThan(0.03);
    const rows = r.stdout.split('\n').filter((l) => /^ *\d+  \d{4}-/.test(l));
    expect(rows).toHaveLength(20);
    expect(rows[19]).toMatch(/^99999  /);
    expect(r.stdout).toContain('(the last 20 of 100,000 points; --all lists every one, --json prints them for scripts)');
    // 100 000 table lines: more than the harness's 1 MiB output buffer
    const all = spawnSync(process.execPath, [BIN, 'runs', 'history', id.slice(0, 20), 'loss', '--all', '--no-chart'], { cwd: big, env: cleanEnv(), encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(all.status).toBe(0);
    expect(all.stdout.split('\n').filter((l) => /^ *\d+  \d{4}-/.test(l))).toHaveLength(100_000);
  });
});
