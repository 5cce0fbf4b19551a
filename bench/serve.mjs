// Serving part of `npm run bench`: /invocations throughput and latency on loopback, measured by
// autocannon (16 keep-alive connections) in this process against the real fastify server, for every
// model given: single-row and 100-row requests.
import autocannon from 'autocannon';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel, saveModel, serveModel } from '@git-ml/models';

function fire(url, body, seconds) {
  return new Promise((resolve, reject) => {
    autocannon(
      { url: `${url}/invocations`, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections: 16, pipelining: 1, duration: seconds },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
  });
}

/** cases: [{ name, model, flavor, signature, columns, rows }] — rows are numbers in column order. */
export async function serveBench(cases, { seconds = 5 } = {}) {
  const out = [];
  for (const c of cases) {
    const dir = join(mkdtempSync(join(tmpdir(), 'git-ml-bench-serve-')), 'model');
    await saveModel(c.model, dir, { flavor: c.flavor, signature: c.signature });
    const loaded = await loadModel(dir);
    const { app, url } = await serveModel(loaded, { port: 0 });
    try {
      const one = JSON.stringify({ dataframe_split: { columns: c.columns, data: [c.rows[0]] } });
      const hundred = JSON.stringify({ dataframe_split: { columns: c.columns, data: Array.from({ length: 100 }, (_, i) => c.rows[i % c.rows.length]) } });
      const check = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: one });
      if (check.status !== 200) throw new Error(`${c.name}: /invocations answered ${check.status}: ${await check.text()}`);
      await fire(url, one, 1); // warm-up
      for (const [batch, body] of [[1, one], [100, hundred]]) {
        const r = await fire(url, body, seconds);
        out.push({ model: c.name, rows_per_request: batch, requests_per_s: r.requests.average, p50_ms: r.latency.p50, p99_ms: r.latency.p99, errors: r.errors + r.non2xx });
      }
    } finally {
      await app.close();
      await loaded.close();
      rmSync(join(dir, '..'), { recursive: true, force: true });
    }
  }
  return out;
}
