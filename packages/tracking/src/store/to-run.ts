import type { Run } from '../model.js';
import type { RunState } from './run-state.js';

/** MLflow's JSON shape of a run, with the latest point of each metric. */
export function toRun(s: RunState, ref: string): Run {
  const metrics = [];
  for (const m of s.metrics.values()) if (m.latest) metrics.push({ ...m.latest });
  return {
    info: {
      run_id: s.info.run_id,
      run_uuid: s.info.run_id,
      run_name: s.info.run_name,
      experiment_id: s.info.experiment_id,
      user_id: s.info.user_id,
      status: s.info.status,
      start_time: s.info.start_time,
      end_time: s.info.end_time,
      lifecycle_stage: s.info.lifecycle_stage,
      artifact_uri: `${ref}:artifacts`,
    },
    data: {
      metrics,
      params: [...s.params].map(([key, value]) => ({ key, value })),
      tags: [...s.tags].map(([key, value]) => ({ key, value })),
    },
  };
}
