import type { AddRoute } from '../context.js';
import { invalidParameter } from '../errors.js';
import { runView } from '../views.js';

/** UI endpoints MLflow's REST tests also exercise: prompt-lab runs, dataset summaries, the gateway proxy. */
export function uiRoutes(add: AddRoute): void {
  add(['POST'], '/runs/create-promptlab-run', (f, ctx) => {
    const need = (name: string) => {
      const v = f.body[name];
      if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) throw invalidParameter(`CreatePromptlabRun request must specify ${name}.`);
      return v;
    };
    const experimentId = String(need('experiment_id'));
    const promptTemplate = String(need('prompt_template'));
    const promptParameters = need('prompt_parameters') as { key: string; value: unknown }[];
    const modelRoute = String(need('model_route'));
    const modelInput = String(need('model_input'));
    need('mlflow_version');
    const kv = (name: string) => ((f.body[name] as { key: string; value: unknown }[] | undefined) ?? []).map((p) => ({ key: String(p.key), value: String(p.value) }));
    const run = ctx.client.createRun(experimentId, {
      runName: f.string('run_name') || undefined,
      tags: Object.fromEntries(kv('tags').map((t) => [t.key, t.value])),
      startTime: f.int('start_time'),
      userId: f.string('user_id') || 'unknown',
      recordSource: false,
      ownedByProcess: false,
    });
    const runId = run.info.run_id;
    ctx.client.logBatch(runId, {
      params: [...kv('model_parameters'), { key: 'model_route', value: modelRoute }, { key: 'prompt_template', value: promptTemplate }],
      tags: [
        { key: 'mlflow.loggedArtifacts', value: '[{"path": "eval_results_table.json", "type": "table"}]' },
        { key: 'mlflow.runSourceType', value: 'PROMPT_ENGINEERING' },
      ],
    });
    const columns = [...promptParameters.map((p) => String(p.key)), 'prompt', 'output', ...kv('model_output_parameters').map((p) => p.key)];
    const row = [...promptParameters.map((p) => String(p.value)), modelInput, f.string('model_output') ?? '', ...kv('model_output_parameters').map((p) => p.value)];
    ctx.client.logText(runId, JSON.stringify({ columns, data: [row] }), 'eval_results_table.json');
    ctx.client.setTerminated(runId, 'FINISHED');
    return { run: runView(ctx.client.getRun(runId), ctx.client.getExperiment(experimentId), ctx.locations) };
  });

  add(['POST'], '/experiments/search-datasets', (f, ctx) => {
    const ids = f.body.experiment_ids;
    if (!Array.isArray(ids) || ids.length === 0) throw invalidParameter('SearchDatasets request must specify at least one experiment_id.');
    if (ids.length > 20) throw invalidParameter(`SearchDatasets request cannot specify more than 20 experiment_ids. Received ${ids.length} experiment_ids.`);
    const seen = new Map<string, Record<string, string>>();
    for (const id of ids.map(String)) {
      for (const run of ctx.client.searchRuns(id, '', { maxResults: 50_000, runViewType: 'ALL' }).runs) {
        const view = runView(run, ctx.client.getExperiment(id), ctx.locations) as { inputs: { dataset_inputs: { dataset: { name: string; digest: string }; tags: { key: string; value: string }[] }[] } };
        for (const d of view.inputs.dataset_inputs) {
          const context = d.tags.find((t) => t.key === 'mlflow.data.context')?.value;
          const s = { experiment_id: id, name: d.dataset.name, digest: d.dataset.digest, ...(context ? { context } : {}) };
          seen.set(JSON.stringify(s), s);
        }
      }
    }
    return { dataset_summaries: [...seen.values()] };
  });

  add(['GET', 'POST'], '/gateway-proxy', (f) => {
    if (!process.env.MLFLOW_DEPLOYMENTS_TARGET) return { endpoints: [] };
    if (!f.body.gateway_path) throw invalidParameter('Deployments proxy request must specify a gateway_path.');
    throw invalidParameter('git-ml server does not proxy to an MLflow deployments server.');
  });
}
