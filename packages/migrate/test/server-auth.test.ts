import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importServer, SourceUnreachableError } from '@git-ml/migrate';
import { RegistryClient } from '@git-ml/registry';
import { MlClient } from '@git-ml/tracking';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Credentials the way MLflow's client sends them, checked by a real HTTP server on 127.0.0.1 that
 * answers MLflow's list calls for an empty store only when the Authorization header is right; and a
 * server that answers the tracking API but not the registry's.
 */
describe('import --from a server that wants credentials, or lacks a registry', () => {
  let server: Server;
  let url: string;
  const seen: (string | undefined)[] = [];
  const roots: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      const ok = req.headers.authorization === `Basic ${Buffer.from('ana:s3cret').toString('base64')}` || req.headers.authorization === 'Bearer tok-1';
      res.setHeader('content-type', 'application/json');
      if (!ok) {
        res.statusCode = 401;
        res.end(JSON.stringify({ error_code: 'UNAUTHENTICATED', message: 'You are not authenticated.' }));
        return;
      }
      req.resume();
      res.end(req.url!.includes('registered-models') ? '{"registered_models": []}' : '{"experiments": []}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });
  const run = async (env: NodeJS.ProcessEnv, from = url) => {
    const repo = mkdtempSync(join(tmpdir(), 'gitml-import-auth-'));
    roots.push(repo);
    execFileSync('git', ['init', '-q'], { cwd: repo });
    const client = new MlClient({ repo });
    try {
      return await importServer(client, new RegistryClient({ tracking: client }), from, { env });
    } finally {
      client.close();
    }
  };

  it('sends MLFLOW_TRACKING_USERNAME/PASSWORD as basic auth, user:password in the URL too, and MLFLOW_TRACKING_TOKEN as a bearer token', async () => {
    expect((await run({ MLFLOW_TRACKING_USERNAME: 'ana', MLFLOW_TRACKING_PASSWORD: 's3cret' })).skipped).toEqual([]);
    expect((await run({}, url.replace('http://', 'http://ana:s3cret@'))).source).toBe(url);
    expect((await run({ MLFLOW_TRACKING_TOKEN: 'tok-1' })).skipped).toEqual([]);
  });

  it('a server without a model registry: the runs are imported, the registry is named as skipped', async () => {
    const bare = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url!.includes('registered-models')) {
        res.statusCode = 404;
        res.end(JSON.stringify({ error_code: 'ENDPOINT_NOT_FOUND', message: 'No such endpoint' }));
      } else res.end('{"experiments": []}');
    });
    await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
    try {
      const s = await run({}, `http://127.0.0.1:${(bare.address() as { port: number }).port}`);
      expect(s.skipped).toHaveLength(1);
      expect(s.skipped[0].path).toMatch(/\/#\/models$/);
      expect(s.skipped[0].reason).toMatch(/^registered model skipped: GET .*registered-models\/search.* failed with HTTP 404 \(ENDPOINT_NOT_FOUND: No such endpoint\)/);
    } finally {
      await new Promise((r) => bare.close(r));
    }
  });

  it('without them, stops with a message that names the variables', async () => {
    const err = await run({}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceUnreachableError);
    expect((err as Error).message).toMatch(/refused the request \(HTTP 401\).*MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, or MLFLOW_TRACKING_TOKEN/);
    expect(seen.at(-1)).toBeUndefined();
  });
});
