// The per-run workload every runs-created benchmark uses (bench/run.mjs, bench/loops-workloads.mjs):
// 3 metrics and 5 params in one logBatch, MLflow's create_run + log_batch + set_terminated.
export function runBatch(i) {
  return {
    metrics: [
      { key: 'acc', value: (i % 100) / 100, step: 0 },
      { key: 'f1', value: ((i * 7) % 100) / 100, step: 0 },
      { key: 'loss', value: 1 - (i % 100) / 100, step: 0 },
    ],
    params: { model: String(i % 10), lr: '0.01', depth: String(i % 5), seed: String(i), batch: '32' },
  };
}
