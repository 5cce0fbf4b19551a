import Fastify, { type FastifyInstance } from 'fastify';
import { GitMlError } from '@git-ml/gitstore';
import { BadInputError } from './errors.js';
import type { LoadedModel } from './model.js';
import { GIT_ML_VERSION } from './model.js';
import { parseCsvPayload, parseJsonPayload, predictionsBody } from './payload.js';

export interface ServeOptions {
  host?: string;
  port?: number;
  /** largest request body accepted, in bytes (default 20 MiB); bigger bodies get 413 */
  bodyLimit?: number;
  logger?: boolean;
}

const errorBody = (code: string, message: string) => JSON.stringify({ error_code: code, message });

/**
 * MLflow's scoring server for a loaded model: `GET /ping`, `GET /health`, `GET /version`,
 * `POST /invocations` with JSON (dataframe_split, dataframe_records, instances, inputs; optional
 * params) or CSV. Bad input is a 400 `{error_code: "BAD_REQUEST", message}`; other content types 415;
 * bodies over the limit 413. Nothing a client sends can crash it.
 */
export function createScoringServer(model: LoadedModel, options: ServeOptions = {}): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: options.bodyLimit ?? 20 * 1024 * 1024, return503OnClosing: true });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'text/csv'], { parseAs: 'string' }, (_req, body, done) => done(null, body));

  const health = async () => '\n';
  app.get('/ping', health);
  app.get('/health', health);
  app.get('/version', async () => GIT_ML_VERSION);

  app.post('/invocations', async (req, reply) => {
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const text = req.body as string;
    let parsed;
    if (type === 'text/csv') parsed = { input: parseCsvPayload(text, model.schema) };
    else {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (err) {
        throw new BadInputError(`The body is not valid JSON: ${(err as Error).message}`);
      }
      parsed = parseJsonPayload(json, model.schema);
    }
    const predictions = await model.predictInput(parsed.input, parsed.params);
    reply.header('content-type', 'application/json');
    return predictionsBody(predictions);
  });

  app.setErrorHandler((err, _req, reply) => {
    const e = err as Error & { statusCode?: number; code?: string };
    reply.header('content-type', 'application/json');
    if (e instanceof BadInputError) return reply.code(400).send(errorBody('BAD_REQUEST', e.message));
    if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.code(415).send(errorBody('BAD_REQUEST', "Unsupported content type; send 'application/json' (dataframe_split, dataframe_records, instances or inputs) or 'text/csv' with a header row."));
    }
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.code(413).send(errorBody('BAD_REQUEST', `The request body is larger than the server's limit of ${options.bodyLimit ?? 20 * 1024 * 1024} bytes.`));
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return reply.code(e.statusCode).send(errorBody('BAD_REQUEST', e.message));
    if (e instanceof GitMlError) return reply.code(400).send(errorBody(e.code, e.message));
    return reply.code(500).send(errorBody('INTERNAL_ERROR', `The model failed to predict: ${e.message}`));
  });
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).header('content-type', 'application/json').send(errorBody('ENDPOINT_NOT_FOUND', `No endpoint ${req.method} ${req.url}; the scoring server has GET /ping, GET /health, GET /version and POST /invocations.`));
  });
  return app;
}

/** Starts serving on `host:port` (127.0.0.1:5000 by default); resolves with the address. */
export async function serveModel(model: LoadedModel, options: ServeOptions = {}): Promise<{ app: FastifyInstance; url: string }> {
  const app = createScoringServer(model, options);
  const url = await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 5000 });
  return { app, url };
}
