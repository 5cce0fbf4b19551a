/**
 * getMetricColumns: the same history as getMetricHistory, as columns, committed or not; and the
 * column cache on disk that lets a new process read a long history without parsing it.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeClients, git, gitPath, makeRepo, openClient, removeTempDirs } from '@git-ml/test-support';
import type { MlClient } from '@git-ml/tracking';

afterEach(() => {
  closeClients();
  removeTempDirs();
});

function same(client: MlClient, runId: string, key: string): void {
  const points = client.getMetricHistory(runId, key);
  const cols = client.getMetricColumns(runId, key);
  expect([...cols.step]).toEqual(points.map((p) => p.step));
  expect([...cols.timestamp]).toEqual(points.map((p) => p.timestamp));
  expect([...cols.value]).toEqual(points.map((p) => p.value));
}

describe('getMetricColumns', () => {
  it('reads committed chunks and unfolded journal lines, NaN and infinities included, like getMetricHistory', () => {
    const repo = makeRepo();
    const client = openClient(repo);
    const id = client.createRun('0').info.run_id;
    const metrics = Array.from({ length: 2500 }, (_, s) => ({ key: 'loss', value: s % 500 === 7 ? Number.NaN : 1 / (s + 1), step: s, timestamp: 1000 + s }));
    metrics.push({ key: 'loss', value: Infinity, step: 2500, timestamp: 5000 }, { key: 'loss', value: -Infinity, step: 2501, timestamp: 5001 });
    for (let i = 0; i < metrics.length; i += 1000) client.logBatch(id, { metrics: metrics.slice(i, i + 1000) });
    client.flush();
    same(client, id, 'loss');
    expect(client.getMetricColumns(id, 'loss').value.length).toBe(2502);
    // new points not folded yet are read from the journal
    client.logMetric(id, 'loss', 0.25, { step: 9999, timestamp: 9999 });
    same(client, id, 'loss');
    expect(client.getMetricColumns(id, 'loss').step.at(-1)).toBe(9999);
    // read again: committed chunks come from the cache, the result is a fresh copy
    const a = client.getMetricColumns(id, 'loss');
    a.value[0] = 42;
    expect(client.getMetricColumns(id, 'loss').value[0]).toBe(1);
    expect(client.getMetricColumns(id, 'missing').value.length).toBe(0);
  });
});

/** The history as a new process reads it (no in-process cache), values as text so NaN survives JSON. */
function readInNewProcess(repo: string, runId: string, key: string): { steps: number[]; values: string[] } {
  const script = `import { MlClient } from '@git-ml/tracking';
const c = new MlClient({ repo: ${JSON.stringify(repo)} });
const h = c.getMetricHistory(${JSON.stringify(runId)}, ${JSON.stringify(key)});
process.stdout.write(JSON.stringify({ steps: h.map((p) => p.step), values: h.map((p) => String(p.value)) }));
c.close();`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
}

describe('the on-disk column cache of metric chunks', () => {
  it('is written by the fold for full chunks, read by new processes, and ignored and replaced when damaged', () => {
    const repo = makeRepo();
    const client = openClient(repo);
    const id = client.createRun('0').info.run_id;
    const values = Array.from({ length: 2600 }, (_, s) => (s === 1234 ? Number.NaN : Math.sin(s) / 3 + s * 1e-9));
    for (let i = 0; i < values.length; i += 1000) client.logBatch(id, { metrics: values.slice(i, i + 1000).map((value, j) => ({ key: 'loss', value, step: i + j, timestamp: 1000 + i + j })) });
    client.flush();
    client.close();
    const area = gitPath(repo, 'ml/metric-columns');
    const files = () => readdirSync(area, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name));
    // two full chunks of 1 000 points; the 600 left are an open chunk, parsed each time
    expect(files().length).toBe(2);
    for (const f of files()) expect(statSync(f).size).toBe(16 + 24 * 1000);
    const expected = { steps: values.map((_, s) => s), values: values.map(String) };
    expect(readInNewProcess(repo, id, 'loss')).toEqual(expected);

    // damaged entries: one cut short, one claiming another blob size; both are ignored, then rewritten
    const [a, b] = files();
    truncateSync(a, 100);
    const bad = readFileSync(b);
    bad.writeDoubleLE(12345, 8);
    writeFileSync(b, bad);
    expect(readInNewProcess(repo, id, 'loss')).toEqual(expected);
    for (const f of files()) expect(statSync(f).size).toBe(16 + 24 * 1000);
    expect(readFileSync(b).readDoubleLE(8)).not.toBe(12345);

    // the cache is derived: without it the history is the same (and the reader writes it again)
    rmSync(area, { recursive: true });
    expect(readInNewProcess(repo, id, 'loss')).toEqual(expected);
    expect(files().length).toBe(2);
    // nothing of it is in git's view of the repository
    expect(git(repo, 'status', '--porcelain')).toBe('');
  });
});
