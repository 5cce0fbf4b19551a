import type { FastifyInstance } from 'fastify';
import { GitMlError } from '@git-ml/gitstore';
import { BadInputError, InputLimitError } from './errors.js';
import { inputLimits, type InputLimits } from './limits.js';
import type { LoadedModel } from './model.js';
import { GIT_ML_VERSION } from './model.js';
import { parseJsonPayload, predictionsBody, readCsvPayload } from './payload.js';
import { previewName } from './preview.js';
import { readJson } from './read-json.js';
import { fastify, receiveBody } from './_receive-body.js';

/** Server options; `maxRows`, `maxCells` and `maxDepth` bound each request (defaults: DEFAULT_INPUT_LIMITS). */
export interface ServeOptions extends Partial<InputLimits> {
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
 * params) or CSV. Bad input is a 400 `{error_code: "BAD_REQUEST", message}`; input past the row, cell
 * or depth limits a 400 `{error_code: "INVALID_PARAMETER_VALUE", message}`; other content types 415;
 * bodies over the size limit 413. Nothing a client sends can crash it or stall `/ping`: bodies are
 * read in slices that give the event loop back, and refused at the first value past a limit.
 */
export function createScoringServer(model: LoadedModel, options: ServeOptions = {}): FastifyInstance {
  const limits = inputLimits(options);
  const bodyLimit = options.bodyLimit ?? 20 * 1024 * 1024;
  const app = fastify()({ logger: options.logger ?? false, bodyLimit, return503OnClosing: true });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'text/csv'], receiveBody(bodyLimit, limits));

  const health = async () => '\n';
  app.get('/ping', health);
  app.get('/health', health);
  app.get('/version', async () => GIT_ML_VERSION);

  app.post('/invocations', async (req, reply) => {
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const text = req.body as string;
    const parsed = type === 'text/csv' ? { input: await readCsvPayload(text, model.schema, limits) } : parseJsonPayload(await readJson(text, limits), model.schema, limits);
    const predictions = await model.predictInput(parsed.input, parsed.params);
    reply.header('content-type', 'application/json');
    return predictionsBody(predictions);
  });

  app.setErrorHandler((err, _req, reply) => {
    const e = err as Error & { statusCode?: number; code?: string };
    reply.header('content-type', 'application/json');
    if (e instanceof BadInputError) return reply.code(400).send(errorBody('BAD_REQUEST', e.message));
    if (e instanceof InputLimitError) return reply.code(400).send(errorBody(e.code, e.message));
    if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.code(415).send(errorBody('BAD_REQUEST', "Unsupported content type; send 'application/json' (dataframe_split, dataframe_records, instances or inputs) or 'text/csv' with a header row."));
    }
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.code(413).send(errorBody('BAD_REQUEST', `The request body is larger than the server's limit of ${bodyLimit} bytes (--body-limit).`));
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return reply.code(e.statusCode).send(errorBody('BAD_REQUEST', e.message));
    if (e instanceof GitMlError) return reply.code(400).send(errorBody(e.code, e.message));
    // a flavor's error may quote the input it choked on: keep the answer short
    return reply.code(500).send(errorBody('INTERNAL_ERROR', `The model failed to predict: ${previewName(e.message, 1000)}`));
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
