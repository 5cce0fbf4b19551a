import type { FastifyInstance, FastifyReply } from 'fastify';
import { findRun, type ServerContext } from '../context.js';
import { execute, GraphqlSyntaxError, parseQuery } from '../graphql.js';
import { experimentView, runView } from '../views.js';

type Args = Record<string, unknown>;
const input = (args: Args) => (args.input ?? {}) as Record<string, unknown>;

/** `POST /graphql` (and GET): the queries MLflow's UI sends, answered from the repository. */
export function graphqlRoutes(app: FastifyInstance, ctx: ServerContext, handle: (fn: () => Promise<unknown>, reply: FastifyReply) => Promise<unknown>): void {
  const root = {
    test: (args: Args) => ({ output: String(args.inputString ?? '') }),
    mlflowGetExperiment: (args: Args) => ({ experiment: experimentView(ctx.client.getExperiment(String(input(args).experimentId)), ctx.locations) }),
    mlflowGetRun: (args: Args) => {
      const run = findRun(ctx, String(input(args).runId));
      const exp = ctx.client.getExperiment(run.info.experiment_id);
      const versions = () => ctx.registry.searchModelVersions({ filter: `run_id = '${run.info.run_id}'`, maxResults: 50_000 }).model_versions;
      return { run: { ...runView(run, exp, ctx.locations), experiment: experimentView(exp, ctx.locations), modelVersions: versions, model_versions: versions } };
    },
    mlflowSearchModelVersions: (args: Args) => {
      const i = input(args);
      const r = ctx.registry.searchModelVersions({ filter: (i.filter as string) || undefined, maxResults: Number(i.maxResults) || undefined, pageToken: (i.pageToken as string) || undefined });
      return { modelVersions: r.model_versions, nextPageToken: r.nextPageToken ?? null };
    },
  };
  const run = async (body: unknown) => {
    const b = (typeof body === 'string' ? JSON.parse(body || '{}') : (body ?? {})) as { query?: string; variables?: Record<string, never> };
    try {
      return { data: execute(parseQuery(String(b.query ?? ''), b.variables ?? {}), root), errors: null };
    } catch (err) {
      if (err instanceof GraphqlSyntaxError) return { data: null, errors: [{ message: err.message }] };
      return { data: null, errors: [{ message: (err as Error).message }] };
    }
  };
  app.register(async (inst) => {
    inst.removeAllContentTypeParsers();
    inst.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    for (const url of ['/graphql', '/ajax-api/graphql']) {
      inst.post(url, (req, reply) => handle(() => run(req.body), reply));
      inst.get(url, (req, reply) => handle(() => run({ query: (req.query as Args).query, variables: JSON.parse(String((req.query as Args).variables ?? '{}')) }), reply));
    }
  });
}
