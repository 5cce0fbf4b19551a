import { createReadStream, createWriteStream, existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join, posix } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Run } from '@git-ml/tracking';
import { parseProxiedPath, safeRelativePath } from '../artifact-locations.js';
import { findRun, type AddRoute, type ServerContext } from '../context.js';
import { ApiError, invalidParameter, notFound } from '../errors.js';
import { Fields, queryFields } from '../request-fields.js';

/** Upload size limit of the UI's `upload-artifact` endpoint (MLflow's). */
const UI_UPLOAD_LIMIT = 10 * 1024 * 1024;

function signature(dir: string): string {
  const parts: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        const s = statSync(p);
        parts.push(`${p}:${s.size}:${s.mtimeMs}`);
      }
    }
  };
  walk(dir);
  return parts.join('\n');
}

/**
 * Runs whose artifact URI is a local directory (`--default-artifact-root file:…`, or an experiment
 * created with a local artifact_location) get their files from the client directly. This commits
 * what is there into the run's `artifacts/` tree, so git holds it too; unchanged directories are skipped.
 */
export async function ingestLocalArtifacts(ctx: ServerContext, runId: string, known?: Run): Promise<void> {
  const run = known ?? findRun(ctx, runId);
  const dir = ctx.locations.localDir(ctx.locations.run(ctx.client.getExperiment(run.info.experiment_id), runId));
  if (!dir || !existsSync(dir) || !statSync(dir).isDirectory()) return;
  const sig = signature(dir);
  if (sig === '' || ctx.ingested.get(runId) === sig) return;
  await ctx.client.logArtifacts(runId, dir, '');
  ctx.ingested.set(runId, sig);
}

async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'git-ml-server-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Stores an upload in the run without holding it in memory: with a Content-Length it streams straight
 * into a git blob; a chunked upload (no length known up front) is spooled to a temporary file first.
 */
async function storeUpload(ctx: ServerContext, runId: string, path: string, body: Readable, contentLength: string | undefined): Promise<void> {
  if (!path) throw invalidParameter('An upload needs a file path inside the run, e.g. <experiment>/<run>/artifacts/model/MLmodel.');
  const length = contentLength !== undefined && /^\d+$/.test(contentLength) ? Number(contentLength) : null;
  if (length !== null) {
    try {
      await ctx.client.logArtifactStream(runId, body, length, path);
    } catch (err) {
      if ((err as { code?: string }).code === 'SIZE_MISMATCH') throw invalidParameter(`The upload of '${path}' did not match its Content-Length: ${(err as Error).message}`);
      throw err;
    }
    return;
  }
  await withTempDir(async (dir) => {
    const file = join(dir, basename(path));
    await pipeline(body, createWriteStream(file));
    const parent = posix.dirname(path);
    await ctx.client.logArtifact(runId, file, parent === '.' ? undefined : parent);
  });
}

/**
 * Passes a stream through, failing it once more than `limit` bytes went by (a chunked upload has no
 * length to check first). The rest of the request is read and dropped (up to 4× the limit), so a
 * client that sends its whole body before reading still gets the 400.
 */
function limited(source: Readable, limit: number): Readable {
  let seen = 0;
  const guard = new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen <= limit) return done(null, chunk);
      // discard the rest (up to a bound) so a client that sends its whole body before reading gets the answer
      source.unpipe(guard);
      source.on('data', (c: Buffer) => {
        seen += c.length;
        if (seen > 4 * limit) source.destroy();
      });
      source.resume();
      done(invalidParameter('Artifact size is too large. Max size is 10MB.'));
    },
  });
  source.on('error', (err) => guard.destroy(err));
  source.on('close', () => {
    if (!source.readableEnded) guard.destroy(new Error('The upload was aborted.'));
  });
  return source.pipe(guard);
}

/** Image types the web UI may show inline (`inline=1`); everything else is always an attachment. */
const INLINE_IMAGES: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp', '.bmp': 'image/bmp', '.svg': 'image/svg+xml' };

/**
 * Sends one artifact file, streamed from a temporary copy that is removed once sent. Files are
 * attachments of an opaque type unless `inline` asks for an image preview; even then a sandboxing
 * Content-Security-Policy stops a stored SVG from running scripts on the server's origin.
 */
async function sendArtifactFile(reply: FastifyReply, fetch: (dir: string) => Promise<string>, inline = false): Promise<FastifyReply> {
  const dir = await mkdtemp(join(tmpdir(), 'git-ml-server-'));
  const cleanup = () => void rm(dir, { recursive: true, force: true });
  try {
    const file = await fetch(dir);
    const st = await stat(file);
    if (st.isDirectory()) throw invalidParameter(`'${basename(file)}' is a directory; list it (artifacts/list) and download its files one by one.`);
    const stream = createReadStream(file);
    stream.on('close', cleanup);
    const image = inline ? INLINE_IMAGES[extname(file).toLowerCase()] : undefined;
    if (image) reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox");
    return reply
      .header('content-type', image ?? 'application/octet-stream')
      .header('content-length', st.size)
      .header('content-disposition', `${image ? 'inline' : 'attachment'}; filename=${JSON.stringify(basename(file))}`)
      .header('x-content-type-options', 'nosniff')
      .send(stream);
  } catch (err) {
    cleanup();
    throw err;
  }
}

function missingArtifact(err: unknown, what: string): unknown {
  return (err as { code?: string }).code === 'RESOURCE_DOES_NOT_EXIST' ? notFound(`No artifact ${what}.`) : err;
}

async function downloadRunFile(ctx: ServerContext, reply: FastifyReply, runId: string, path: string, inline = false): Promise<FastifyReply> {
  await ingestLocalArtifacts(ctx, runId, findRun(ctx, runId));
  return sendArtifactFile(reply, async (dir) => {
    try {
      return await ctx.client.downloadArtifacts(runId, path, dir);
    } catch (err) {
      throw missingArtifact(err, `'${path}' in run ${runId}`);
    }
  }, inline);
}

/** `artifacts/list` of the tracking API. */
export function artifactListRoutes(add: AddRoute): void {
  add(['GET'], '/artifacts/list', async (f, ctx) => {
    const runId = f.runId();
    const path = f.has('path') ? safeRelativePath(f.string('path') ?? '') : '';
    const run = findRun(ctx, runId);
    await ingestLocalArtifacts(ctx, runId);
    const files = ctx.client.listArtifacts(runId, path).map((x) => (x.is_dir ? { path: x.path, is_dir: true } : x));
    return { root_uri: ctx.locations.run(ctx.client.getExperiment(run.info.experiment_id), runId), files };
  });
}

const PROXY = '/api/2.0/mlflow-artifacts/artifacts';

function proxiedSegments(url: string): string[] {
  const path = url.split('?')[0];
  const rest = path.slice(path.indexOf(PROXY) + PROXY.length);
  return rest.split('/').filter((s) => s !== '');
}

/**
 * The artifact proxy (`/api/2.0/mlflow-artifacts/artifacts/…`), the UI's upload and the file
 * downloads (`/get-artifact`, `/model-versions/get-artifact`). Bodies here are streams, not parsed.
 */
export function artifactProxyRoutes(app: FastifyInstance, ctx: ServerContext, handle: (fn: () => Promise<unknown>, reply: FastifyReply) => Promise<unknown>): void {
  app.register(async (inst) => {
    inst.removeAllContentTypeParsers();
    inst.addContentTypeParser('*', (_req, payload, done) => done(null, payload));

    for (const prefix of ['/api/2.0/mlflow-artifacts/artifacts', '/ajax-api/2.0/mlflow-artifacts/artifacts']) {
      inst.get(prefix, (req, reply) =>
        handle(async () => {
          const f = new Fields(queryFields(req.url));
          const raw = f.string('path') ?? '';
          safeRelativePath(raw);
          const segs = raw.split('/').filter((s) => s !== '' && s !== '.');
          if (segs.length < 3) return { files: [] };
          const { runId, path } = parseProxiedPath(segs.map(encodeURIComponent));
          findRun(ctx, runId);
          await ingestLocalArtifacts(ctx, runId);
          const files = ctx.client.listArtifacts(runId, path).map((x) => ({ path: posix.basename(x.path), is_dir: x.is_dir, ...(x.is_dir ? {} : { file_size: x.file_size }) }));
          return { files };
        }, reply),
      );
      inst.get(`${prefix}/*`, (req, reply) =>
        handle(async () => {
          const { runId, path } = parseProxiedPath(proxiedSegments(req.url));
          return downloadRunFile(ctx, reply, runId, path);
        }, reply),
      );
      inst.put(`${prefix}/*`, (req, reply) =>
        handle(async () => {
          const { runId, path } = parseProxiedPath(proxiedSegments(req.url));
          const run = findRun(ctx, runId);
          if (run.info.lifecycle_stage !== 'active') throw invalidParameter(`The run ${runId} must be in the 'active' state to log artifacts. Current state is ${run.info.lifecycle_stage}.`);
          await storeUpload(ctx, runId, path, req.body as Readable, req.headers['content-length']);
          return {};
        }, reply),
      );
      inst.delete(`${prefix}/*`, (req, reply) =>
        handle(async () => {
          parseProxiedPath(proxiedSegments(req.url));
          throw new ApiError(
            'NOT_IMPLEMENTED',
            "git-ml keeps every artifact a run logged in the run's git history, so artifacts cannot be deleted through the proxy. Delete the run (runs/delete) or log a replacement file at the same path.",
          );
        }, reply),
      );
    }

    inst.post('/ajax-api/2.0/mlflow/upload-artifact', (req, reply) =>
      handle(async () => {
        const q = queryFields(req.url);
        const runId = typeof q.run_uuid === 'string' ? q.run_uuid : '';
        if (!runId) throw invalidParameter('Request must specify run_uuid.');
        const path = typeof q.path === 'string' ? q.path : '';
        if (!path) throw invalidParameter('Request must specify path.');
        const clean = safeRelativePath(path);
        const length = Number(req.headers['content-length'] ?? 0);
        if (length > UI_UPLOAD_LIMIT) throw invalidParameter('Artifact size is too large. Max size is 10MB.');
        if (!length && !req.headers['transfer-encoding']) throw invalidParameter('Request must specify data.');
        const run = findRun(ctx, runId);
        if (run.info.lifecycle_stage !== 'active') throw invalidParameter(`The run ${runId} must be in the 'active' state to log artifacts.`);
        await storeUpload(ctx, runId, clean, limited(req.body as Readable, UI_UPLOAD_LIMIT), req.headers['content-length']);
        return {};
      }, reply),
    );

    inst.get('/get-artifact', (req, reply) =>
      handle(async () => {
        const q = queryFields(req.url);
        const path = safeRelativePath(typeof q.path === 'string' ? q.path : '');
        const runId = String(q.run_id ?? q.run_uuid ?? '');
        return downloadRunFile(ctx, reply, runId, path, q.inline === '1' || q.inline === 'true');
      }, reply),
    );

    inst.get('/model-versions/get-artifact', (req, reply) =>
      handle(async () => {
        const q = queryFields(req.url);
        const path = safeRelativePath(typeof q.path === 'string' ? q.path : '');
        const name = String(q.name ?? '');
        const version = String(q.version ?? '');
        return sendArtifactFile(reply, async (dir) => {
          const root = await ctx.registry.downloadArtifacts(`models:/${name}/${version}`, dir);
          const file = join(root, ...path.split('/').filter(Boolean));
          if (!existsSync(file)) throw notFound(`Model version ${version} of '${name}' has no file '${path}'.`);
          return file;
        });
      }, reply),
    );
  });
}

