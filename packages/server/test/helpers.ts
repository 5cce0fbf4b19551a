/** Shared helpers of the server tests: a real git-ml server on 127.0.0.1 over a fresh repository. */
import { afterEach } from 'vitest';
import { startServer, type TrackingServer } from '@git-ml/server';
import { makeRepo, removeTempDirs } from '@git-ml/test-support';

export { git, fsckStrict, makeRepo, tempDir } from '@git-ml/test-support';

const running: TrackingServer[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.close();
  removeTempDirs();
});

export interface Harness {
  repo: string;
  url: string;
  server: TrackingServer;
  /** POST/PATCH/DELETE with a JSON body, GET with query parameters; resolves with status and parsed JSON */
  call(method: string, path: string, body?: Record<string, unknown> | string): Promise<{ status: number; json: any }>;
}

export async function serve(options: { defaultArtifactRoot?: string; bodyLimit?: number } = {}): Promise<Harness> {
  const repo = makeRepo();
  const server = await startServer({ repo, port: 0, ...options });
  running.push(server);
  const url = server.url;
  return {
    repo,
    url,
    server,
    async call(method, path, body) {
      let target = `${url}${path}`;
      const init: RequestInit = { method };
      if (method === 'GET' && body && typeof body === 'object') {
        const q = new URLSearchParams();
        for (const [k, v] of Object.entries(body)) for (const x of Array.isArray(v) ? v : [v]) q.append(k, String(x));
        target += `?${q}`;
      } else if (body !== undefined) {
        init.body = typeof body === 'string' ? body : JSON.stringify(body);
        init.headers = { 'content-type': 'application/json' };
      }
      const res = await fetch(target, init);
      const text = await res.text();
      let json: unknown = text;
      try {
        json = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, json };
    },
  };
}
