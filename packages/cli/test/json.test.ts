import { describe, expect, it } from 'vitest';
import { git, gitMl, ok, refOf, startRun, tempRepo } from './harness.js';

describe('--json output', () => {
  it('experiments list --json prints {"experiments": [...]} in MLflow\'s shape', () => {
    const repo = tempRepo();
    const id = ok(repo, 'experiments', 'create', 'churn').trim();
    const { experiments } = JSON.parse(ok(repo, 'experiments', 'list', '--json'));
    const churn = experiments.find((e: { name: string }) => e.name === 'churn');
    expect(churn).toMatchObject({ experiment_id: id, name: 'churn', lifecycle_stage: 'active' });
    expect(Object.keys(churn).sort()).toEqual(['artifact_location', 'creation_time', 'experiment_id', 'last_update_time', 'lifecycle_stage', 'name', 'tags']);
    expect(experiments.map((e: { experiment_id: string }) => e.experiment_id)).toContain('0');
  });

  it('runs list --json prints {"runs": [...]} in MLflow\'s run shape, with next_page_token only when more follow', () => {
    const repo = tempRepo();
    const a = startRun(repo, '--name', 'a');
    const b = startRun(repo, '--name', 'b');
    ok(repo, 'runs', 'log', a, '--param', 'lr=0.1', '--metric', 'loss=0.5@3', '--tag', 'team=x');

    const all = JSON.parse(ok(repo, 'runs', 'list', '--json'));
    expect(Object.keys(all)).toEqual(['runs']);
    const run = all.runs.find((r: { info: { run_id: string } }) => r.info.run_id === a);
    expect(Object.keys(run)).toEqual(['info', 'data']);
    expect(run.info).toMatchObject({ run_id: a, run_uuid: a, run_name: 'a', experiment_id: '0', status: 'RUNNING', lifecycle_stage: 'active' });
    expect(typeof run.info.start_time).toBe('number');
    expect(run.data.params).toEqual([{ key: 'lr', value: '0.1' }]);
    expect(run.data.metrics).toEqual([{ key: 'loss', value: 0.5, step: 3, timestamp: expect.any(Number) }]);
    expect(run.data.tags).toContainEqual({ key: 'team', value: 'x' });

    const page1 = JSON.parse(ok(repo, 'runs', 'list', '--json', '--max-results', '1'));
    expect(page1.runs).toHaveLength(1);
    expect(typeof page1.next_page_token).toBe('string');
    const page2 = JSON.parse(ok(repo, 'runs', 'list', '--json', '--max-results', '1', '--page-token', page1.next_page_token));
    expect(page2.runs).toHaveLength(1);
    expect(page2.next_page_token).toBeUndefined();
    expect([page1.runs[0].info.run_id, page2.runs[0].info.run_id].sort()).toEqual([a, b].sort());
  });

  it('writes NaN and ±Infinity metric values as the strings "NaN", "Infinity", "-Infinity"', () => {
    const repo = tempRepo();
    const id = startRun(repo);
    ok(repo, 'runs', 'log', id, '--metric', 'a=nan', '--metric', 'b=inf', '--metric', 'c=-inf', '--metric', 'd=1.5e-3');
    const out = ok(repo, 'runs', 'list', '--json');
    const values = Object.fromEntries(JSON.parse(out).runs[0].data.metrics.map((m: { key: string; value: unknown }) => [m.key, m.value]));
    expect(values).toEqual({ a: 'NaN', b: 'Infinity', c: '-Infinity', d: 0.0015 });
    expect(gitMl(repo, ['runs', 'list', '--help']).stdout).toMatch(/"NaN", "Infinity"\s+and "-Infinity"/);
  });

  it('runs show --json prints the run, its artifacts and its ref', () => {
    const repo = tempRepo();
    const id = startRun(repo, '--name', 'shown');
    const shown = JSON.parse(ok(repo, 'runs', 'show', id, '--json'));
    expect(Object.keys(shown)).toEqual(['run', 'artifacts', 'ref']);
    expect(shown.run.info.run_name).toBe('shown');
    expect(shown.artifacts).toEqual([]);
    expect(shown.ref).toBe(refOf(repo, id));
    expect(git(repo, 'cat-file', '-t', shown.ref).trim()).toBe('commit');
  });
});
