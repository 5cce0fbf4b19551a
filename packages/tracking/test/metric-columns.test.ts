/** getMetricColumns: the same history as getMetricHistory, as columns, committed or not. */
import { afterEach, describe, expect, it } from 'vitest';
import { closeClients, makeRepo, openClient, removeTempDirs } from '@git-ml/test-support';
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
