import { resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import { uiBuilt, uiDir } from '@git-ml/ui';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { RegistryClient } from '@git-ml/registry';
import { MlClient } from '@git-ml/tracking';
import { ArtifactLocations } from './artifact-locations.js';
import type { AddRoute, Handler, Method, ServerContext } from './context.js';
import { ApiError, errorBody, toApiError } from './errors.js';
import { Fields, queryFields } from './request-fields.js';
import { artifactListRoutes, artifactProxyRoutes } from './routes/artifacts.js';
import { experimentRoutes } from './routes/experiments.js';
import { graphqlRoutes } from './routes/graphql.js';
import { uiRoutes } from './routes/misc.js';
import { uiApiRoutes } from './routes/ui-api.js';
import { registryRoutes } from './routes/registry.js';
import { runRoutes } from './routes/runs.js';
import { toJson } from './views.js';

/** The MLflow version whose REST API this server speaks (answered by `/version`). */
export const MLFLOW_API_VERSION = '2.12.2';

export interface ServerOptions {
  /** a directory inside the git repository (default: as the CLI finds it) */
  repo?: string;
  /** address to bind (default 127.0.0.1) */
  host?: string;
  /** port (default 5000; 0 picks a free one) */
  port?: number;
  /** largest JSON request body, in bytes (default 16 MiB); artifact uploads are streamed and not bounded by it */
  bodyLimit?: number;
  /**
   * MLflow's `--default-artifact-root`: hand out artifact URIs under this `file:` URI or path, where
   * clients write directly (the server commits those files into the run when it ends or is registered).
   * Default: `mlflow-artifacts:/…`, uploaded through this server straight into git.
   */
  defaultArtifactRoot?: string;
  logger?: boolean;
}

export interface TrackingServer {
  app: FastifyInstance;
  client: MlClient;
  registry: RegistryClient;
  /** stops accepting requests, finishes the ones in flight, folds everything into commits */
  close(): Promise<void>;
}

const CLOSE_GRACE_MS = 5000;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

function originHost(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

const PREFIXES = ['/api/2.0/mlflow', '/ajax-api/2.0/mlflow', '/api/2.0/preview/mlflow', '/ajax-api/2.0/preview/mlflow'];
/** git-ml's own read endpoints for the web UI (docs/ui.md) */
const GIT_ML_PREFIXES = ['/api/2.0/git-ml', '/ajax-api/2.0/git-ml'];

function parseBody(req: FastifyRequest): Fields {
  if (req.method === 'GET') return new Fields(queryFields(req.url));
  const raw = typeof req.body === 'string' ? req.body : '';
  if (raw.trim() === '') return new Fields(queryFields(req.url));
  let body: unknown;
  try {
    body = JSON.parse(raw);
    if (typeof body === 'string') body = JSON.parse(body);
  } catch (err) {
    throw new ApiError('BAD_REQUEST', `The request body is not valid JSON: ${(err as Error).message}.`);
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ApiError('BAD_REQUEST', 'The request body must be a JSON object.');
  return new Fields(body as Record<string, unknown>, raw);
}

async function respond(reply: FastifyReply, fn: () => unknown): Promise<unknown> {
  try {
    const out = await fn();
    if (out === reply || reply.sent) return reply;
    return reply.type('application/json').send(toJson(out ?? {}));
  } catch (err) {
    const e = toApiError(err);
    if (e.status >= 500) reply.log.error(err);
    return reply.code(e.status).type('application/json').send(errorBody(e));
  }
}

/**
 * MLflow 2.x's REST API (tracking, model registry, artifact proxy, `/health`, `/version`) on a git
 * repository, as a fastify app that is not listening yet. Everything goes through `MlClient` and
 * `RegistryClient`, so what the server writes is what the CLI and SDK see, and the other way round.
 */
export function createServer(options: ServerOptions = {}): TrackingServer {
  const client = new MlClient({ repo: options.repo });
  const registry = new RegistryClient({ tracking: client });
  const bodyLimit = options.bodyLimit ?? 16 * 1024 * 1024;
  const root = options.defaultArtifactRoot;
  const locations = new ArtifactLocations(root && !/^[a-z][a-z0-9+.-]*:/i.test(root) ? resolve(root) : root);
  const ctx: ServerContext = { client, registry, locations, bodyLimit, ingested: new Map() };
  const app = Fastify({ logger: options.logger ?? false, bodyLimit, return503OnClosing: true, routerOptions: { ignoreDuplicateSlashes: true, ignoreTrailingSlash: true } });

  // A browser page from another site must not drive this server: when it listens on a loopback
  // address, only loopback Host names are answered (no DNS rebinding), and a write whose Origin is
  // not this server is refused (no cross-site request forgery). Clients other than browsers send
  // no Origin and are not affected.
  const loopback = LOOPBACK.has(options.host ?? '127.0.0.1');
  app.addHook('onRequest', async (req, reply) => {
    const host = req.headers.host ?? '';
    if (loopback && !LOOPBACK.has(host.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1'))) {
      return reply.code(403).type('application/json').send(errorBody(new ApiError('PERMISSION_DENIED', `Host '${host}' is not this server: it listens on a loopback address and answers only 127.0.0.1, localhost and ::1 (use --host to listen elsewhere).`)));
    }
    const origin = req.headers.origin;
    if (origin && !['GET', 'HEAD', 'OPTIONS'].includes(req.method) && originHost(origin) !== host) {
      return reply.code(403).type('application/json').send(errorBody(new ApiError('PERMISSION_DENIED', `Cross-origin ${req.method} from ${origin} refused: only pages served by this server may write through it.`)));
    }
  });

  app.register(async (api) => {
    api.removeAllContentTypeParsers();
    api.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    const under =
      (prefixes: string[]): AddRoute =>
      (methods: Method[], path: string, handler: Handler, opts = {}) => {
        for (const prefix of prefixes) {
          api.route({
            method: methods,
            url: `${prefix}${path}`,
            handler: (req, reply) =>
              respond(reply, () => {
                const f = parseBody(req);
                if (req.method === 'GET' && opts.repeated) {
                  for (const r of opts.repeated) if (typeof f.body[r] === 'string') f.body[r] = [f.body[r]];
                }
                return handler(f, ctx, req, reply);
              }),
          });
        }
      };
    const add = under(PREFIXES);
    uiApiRoutes(under(GIT_ML_PREFIXES));
    experimentRoutes(add);
    runRoutes(add);
    artifactListRoutes(add);
    registryRoutes(add);
    uiRoutes(add);
  });
  artifactProxyRoutes(app, ctx, (fn, reply) => respond(reply, fn));
  graphqlRoutes(app, ctx, (fn, reply) => respond(reply, fn));

  if (uiBuilt()) {
    // the web UI: hashed assets are cached for good, index.html is always revalidated
    app.register(fastifyStatic, {
      root: uiDir,
      index: 'index.html',
      wildcard: false,
      setHeaders: (reply, path) => {
        const asset = /[\\/]assets[\\/]/.test(path);
        reply.header('cache-control', asset ? 'public, max-age=31536000, immutable' : 'no-cache');
        // the app's own scripts only; uPlot sets inline styles; the favicon is a data: URI
        if (!asset) reply.header('content-security-policy', "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'");
      },
    });
  } else {
    app.get('/', async (_req, reply) =>
      reply
        .type('text/plain')
        .send(`git-ml server for ${client.repoPath}\nMLflow ${MLFLOW_API_VERSION} REST API: /api/2.0/mlflow/… (set MLFLOW_TRACKING_URI to this address). The web UI is not built here: run \`npm run build\` (see docs/ui.md).\n`),
    );
  }
  app.get('/health', async (_req, reply) => reply.type('text/plain').send('OK'));
  app.get('/version', async (_req, reply) => reply.type('text/plain').send(MLFLOW_API_VERSION));
  app.setNotFoundHandler((req, reply) => {
    const e = new ApiError('ENDPOINT_NOT_FOUND', `No endpoint ${req.method} ${req.url.split('?')[0]}. git-ml server speaks MLflow 2.x's REST API under /api/2.0/mlflow/ (see docs/server.md).`);
    reply.code(404).type('application/json').send(errorBody(e));
  });
  app.setErrorHandler((err, _req, reply) => {
    const e = toApiError(err);
    reply.code(e.status).type('application/json').send(errorBody(e));
  });

  let closed: Promise<void> | null = null;
  return {
    app,
    client,
    registry,
    close() {
      // in-flight requests finish; connections still open after a grace period are cut
      const force = setTimeout(() => app.server.closeAllConnections(), CLOSE_GRACE_MS);
      closed ??= app.close().then(() => {
        clearTimeout(force);
        client.close();
      });
      return closed;
    },
  };
}

/** Creates the server and starts listening; resolves with its URL. */
export async function startServer(options: ServerOptions = {}): Promise<TrackingServer & { url: string }> {
  const server = createServer(options);
  const url = await server.app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 5000 });
  return { ...server, url };
}

/** Stops the server cleanly (everything folded) on SIGINT or SIGTERM; resolves once it has. */
export function closeOnSignals(server: Pick<TrackingServer, 'close'>, onSignal?: (signal: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      onSignal?.(signal);
      server.close().then(resolve, reject);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
