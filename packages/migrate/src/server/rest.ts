import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MigrateError, SourceRequestError, SourceUnreachableError } from '../errors.js';

/** Statuses worth asking again for: rate limits and a proxy in front of a restarting server. */
const RETRY_STATUS = new Set([429, 502, 503, 504]);
const RETRY_DELAYS_MS = [500, 1500, 4000];

/**
 * Requests to an MLflow tracking server: JSON calls of its REST API and file downloads, with the
 * credentials MLflow's own client uses (user:password in the URL, MLFLOW_TRACKING_USERNAME and
 * MLFLOW_TRACKING_PASSWORD, or MLFLOW_TRACKING_TOKEN), and a few retries when the server is busy or
 * the connection drops. A server that cannot be reached, or refuses us, is a
 * {@link SourceUnreachableError}; any other error answer is a {@link SourceRequestError} naming the
 * request.
 */
export class RestClient {
  /** the server's base URL, without credentials or a trailing slash */
  readonly base: string;
  private readonly headers: Record<string, string> = {};

  constructor(url: string, env: NodeJS.ProcessEnv = process.env) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new MigrateError(`'${url}' is not a URL. Pass the tracking server's address, e.g. --from http://127.0.0.1:5000.`, { url });
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new MigrateError(`'${url}' is not an http(s):// URL of a tracking server.`, { url });
    if (u.search || u.hash) throw new MigrateError(`'${url}': pass the server's base URL without ?query or #fragment, e.g. http://127.0.0.1:5000.`, { url });
    const user = decodeURIComponent(u.username) || env.MLFLOW_TRACKING_USERNAME;
    const password = decodeURIComponent(u.password) || env.MLFLOW_TRACKING_PASSWORD;
    if (user || password) this.headers.authorization = `Basic ${Buffer.from(`${user ?? ''}:${password ?? ''}`).toString('base64')}`;
    else if (env.MLFLOW_TRACKING_TOKEN) this.headers.authorization = `Bearer ${env.MLFLOW_TRACKING_TOKEN}`;
    u.username = '';
    u.password = '';
    this.base = u.toString().replace(/\/+$/, '');
  }

  /** GET with query parameters (arrays repeat the key) or POST with a JSON body; the parsed answer. */
  async json(method: 'GET' | 'POST', path: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    let url = `${this.base}${path}`;
    const init: RequestInit = { method, headers: { ...this.headers, accept: 'application/json' } };
    if (method === 'GET') {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(params)) for (const x of Array.isArray(v) ? v : [v]) if (x !== undefined) q.append(k, String(x));
      if ([...q].length) url += `?${q}`;
    } else {
      init.body = JSON.stringify(params);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    const res = await this.fetch(url, init);
    const text = await res.text();
    const body = jsonOrUndefined(text);
    if (!res.ok) throw this.failure(method, url, res.status, body, text);
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      throw new SourceRequestError(url, res.status, `${method} ${url} answered with something that is not MLflow's JSON (${text.slice(0, 80).replace(/\s+/g, ' ')}…). Is ${this.base} an MLflow tracking server?`);
    }
    return body as Record<string, unknown>;
  }

  /** Streams a file to `dest`; returns its size. */
  async download(path: string, dest: string): Promise<number> {
    const url = `${this.base}${path}`;
    const res = await this.fetch(url, { headers: this.headers });
    if (!res.ok) {
      const text = await res.text();
      throw this.failure('GET', url, res.status, jsonOrUndefined(text), text);
    }
    await mkdir(dirname(dest), { recursive: true });
    let size = 0;
    const count = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        done(null, chunk);
      },
    });
    try {
      await pipeline(Readable.fromWeb(res.body! as import('node:stream/web').ReadableStream), count, createWriteStream(dest));
    } catch (cause) {
      throw new SourceUnreachableError(`The download of ${url} broke off (${(cause as Error).message}). What was imported stays; run the same import again to continue.`, { url }, cause);
    }
    return size;
  }

  private async fetch(url: string, init: RequestInit): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      let res: Response | null = null;
      let cause: unknown = null;
      try {
        res = await fetch(url, init);
      } catch (err) {
        cause = err;
      }
      const retry = res ? RETRY_STATUS.has(res.status) : true;
      if (!retry || attempt >= RETRY_DELAYS_MS.length) {
        if (res) {
          if (res.status === 401 || res.status === 403) {
            throw new SourceUnreachableError(
              `${this.base} refused the request (HTTP ${res.status}). Give credentials as MLflow's client takes them: MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, or MLFLOW_TRACKING_TOKEN.`,
              { url, status: res.status },
            );
          }
          return res;
        }
        const detail = (cause as { cause?: { code?: string; message?: string } })?.cause;
        throw new SourceUnreachableError(
          `Cannot reach the tracking server at ${this.base} (${detail?.code ?? detail?.message ?? (cause as Error)?.message}). Check that it is running and the address (git-ml import --from http://HOST:PORT); what was imported so far stays, and running the same import again continues.`,
          { url },
          cause,
        );
      }
      await res?.body?.cancel();
      await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[attempt]));
    }
  }

  private failure(method: string, url: string, status: number, body: unknown, text: string): SourceRequestError {
    const b = (body ?? {}) as { error_code?: unknown; message?: unknown };
    const what = typeof b.message === 'string' ? `${typeof b.error_code === 'string' ? `${b.error_code}: ` : ''}${b.message}` : text.slice(0, 200).replace(/\s+/g, ' ').trim();
    return new SourceRequestError(url, status, `${method} ${url} failed with HTTP ${status}${what ? ` (${what})` : ''}`, typeof b.error_code === 'string' ? { error_code: b.error_code } : {});
  }
}

/** The parsed JSON of a response body, or undefined when it is not JSON (an HTML error page, say). */
function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
