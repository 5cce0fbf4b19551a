import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import type { FastifyRequest } from 'fastify';
import { GitMlError } from '@git-ml/gitstore';
import type { InputLimits } from './limits.js';
import { CsvBodyScan, JsonBodyScan, type BodyScan } from './_scan-body.js';

const require = createRequire(import.meta.url);

/**
 * fastify, loaded on first use rather than with the package: every program that imports
 * @git-ml/models (the CLI's start-up included) would otherwise pay for it without serving anything.
 */
export function fastify(): typeof import('fastify') {
  return require('fastify') as typeof import('fastify');
}

/**
 * Fastify's body parser for `/invocations`: collects the body under `bodyLimit` bytes while a byte
 * scanner counts rows, values and depth (for bodies long enough to pass a limit). Past a limit the
 * bytes that follow are read and dropped, not kept, and the request answers 400 once the client has
 * sent them all (answering mid-upload would close a connection the client is still writing to, and
 * it would see a reset, not the message).
 */
export function receiveBody(bodyLimit: number, limits: InputLimits) {
  return (req: FastifyRequest, payload: IncomingMessage, done: (err: Error | null, body?: string) => void): void => {
    const declared = Number(req.headers['content-length']);
    if (declared > bodyLimit) {
      done(new (fastify().errorCodes.FST_ERR_CTP_BODY_TOO_LARGE)());
      return;
    }
    const csv = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase() === 'text/csv';
    // A value takes two bytes at least (with its separator), a CSV row too: a body too short to pass
    // maxCells (or maxRows) is not scanned. The parsers check every limit again, exactly, and stop at
    // the first list past maxDepth.
    const passable = 2 * (csv ? Math.min(limits.maxRows, limits.maxCells) : limits.maxCells) + 2;
    const scan: BodyScan | null = declared <= passable ? null : csv ? new CsvBodyScan(limits) : new JsonBodyScan(limits);
    let chunks: Buffer[] = [];
    let received = 0;
    let refused: Error | null = null;
    const finish = (err: Error | null, body?: string) => {
      payload.removeListener('data', onData);
      payload.removeListener('end', onEnd);
      payload.removeListener('error', onError);
      done(err, body);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > bodyLimit) {
        finish(new (fastify().errorCodes.FST_ERR_CTP_BODY_TOO_LARGE)());
        return;
      }
      if (refused) return;
      try {
        scan?.push(chunk);
        chunks.push(chunk);
      } catch (err) {
        if (!(err instanceof GitMlError)) throw err;
        refused = err;
        chunks = [];
      }
    };
    const onEnd = () => {
      if (refused) finish(refused);
      else if (!Number.isNaN(declared) && declared !== received) finish(new (fastify().errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH)());
      else finish(null, Buffer.concat(chunks, received).toString('utf8'));
    };
    const onError = (err: Error & { statusCode?: number }) => {
      if (!(typeof err.statusCode === 'number' && err.statusCode >= 400)) err.statusCode = 400;
      finish(err);
    };
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onError);
    payload.resume();
  };
}
