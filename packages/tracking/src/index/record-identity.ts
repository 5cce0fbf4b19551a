import { CorruptRecordError } from '../errors.js';
import type { RunInfo } from '../model.js';
import { parseRunRef } from '../store/refs-layout.js';

/**
 * The ref names the run: `refs/ml/runs/<experiment>/<run>`. A run.yaml that names another run or
 * experiment (copied from another run, or hand-edited) is a corrupt record of this ref — read as
 * it stands it would show up as that other run, twice in a search.
 */
export function assertRecordMatchesRef(ref: string, info: Pick<RunInfo, 'run_id' | 'experiment_id'>): void {
  const p = parseRunRef(ref);
  if (!p) return;
  const field = info.run_id !== p.runId ? 'run_id' : info.experiment_id !== p.experimentId ? 'experiment_id' : null;
  if (!field) return;
  const named = field === 'run_id' ? `run ${p.runId}` : `experiment ${p.experimentId}`;
  throw new CorruptRecordError(ref, 'run.yaml', `field '${field}' is ${JSON.stringify(info[field])} but the ref names ${named} (a run.yaml copied from another run, or edited by hand?)`);
}
