import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RegistryClient } from '@git-ml/registry';
import type { Experiment, MlClient, Run } from '@git-ml/tracking';
import { storeOf } from '@git-ml/tracking/internal';
import type { ArtifactLocations } from './artifact-locations.js';
import { invalidParameter, notFound } from './errors.js';
import type { Fields } from './request-fields.js';

/** What every handler gets: the repository's clients and how artifact locations are handed out. */
export interface ServerContext {
  client: MlClient;
  registry: RegistryClient;
  locations: ArtifactLocations;
  /** largest JSON body accepted, in bytes */
  bodyLimit: number;
  /** signature of each run's local artifact directory when it was last committed */
  ingested: Map<string, string>;
}

export type Handler = (f: Fields, ctx: ServerContext, req: FastifyRequest, reply: FastifyReply) => unknown;

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';

/** Registers one REST endpoint; `path` is relative to `/api/2.0/mlflow` (and `/ajax-api/2.0/mlflow`). */
export type AddRoute = (methods: Method[], path: string, handler: Handler, options?: { repeated?: string[] }) => void;

const RUN_ID = /^[0-9a-f]{32}$/;

/** The run, after checking the id's shape (so a malformed id never reaches a ref). */
export function findRun(ctx: ServerContext, runId: string): Run {
  if (!RUN_ID.test(runId)) throw notFound(`Run '${runId}' not found: run ids are 32 lowercase hex characters.`);
  try {
    return ctx.client.getRun(runId);
  } catch (err) {
    if ((err as { code?: string }).code === 'RESOURCE_DOES_NOT_EXIST') throw notFound(`Run '${runId}' not found.`);
    throw err;
  }
}

function mustBeActive(runId: string, stage: string): void {
  if (stage !== 'active') {
    throw invalidParameter(`The run ${runId} must be in the 'active' state. Current state is ${stage}. Restore it first (runs/restore).`);
  }
}

/** The run, which must be active: MLflow refuses to change deleted runs (INVALID_PARAMETER_VALUE). */
export function activeRun(ctx: ServerContext, runId: string): Run {
  const run = findRun(ctx, runId);
  mustBeActive(runId, run.info.lifecycle_stage);
  return run;
}

/**
 * Checks that the run exists and is active, without reading the run (its record's stage is read once
 * per commit): the check before every logging request.
 */
export function assertActiveRun(ctx: ServerContext, runId: string): void {
  if (!RUN_ID.test(runId)) throw notFound(`Run '${runId}' not found: run ids are 32 lowercase hex characters.`);
  let stage: string;
  try {
    stage = storeOf(ctx.client).lifecycle(runId);
  } catch (err) {
    if ((err as { code?: string }).code === 'RESOURCE_DOES_NOT_EXIST') throw notFound(`Run '${runId}' not found.`);
    throw err;
  }
  mustBeActive(runId, stage);
}

/** Experiments looked up once per request. */
export function experimentCache(ctx: ServerContext): (id: string) => Experiment {
  const seen = new Map<string, Experiment>();
  return (id) => {
    let e = seen.get(id);
    if (!e) seen.set(id, (e = ctx.client.getExperiment(id)));
    return e;
  };
}
