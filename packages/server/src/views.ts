import type { Experiment, Metric, Run } from '@git-ml/tracking';
import { INPUTS_TAG, type DatasetInput } from '@git-ml/tracking';
import type { ArtifactLocations } from './artifact-locations.js';

/** JSON with protobuf's spelling of non-finite doubles ("NaN", "Infinity", "-Infinity"). */
export function toJson(value: unknown): string {
  // a replacer is called for every value (slow on a search answer of a thousand runs): only when needed
  if (!hasNonFinite(value)) return JSON.stringify(value);
  return JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? (Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity') : v));
}

function hasNonFinite(v: unknown): boolean {
  if (typeof v === 'number') return !Number.isFinite(v);
  if (v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) {
    for (const x of v) if (hasNonFinite(x)) return true;
    return false;
  }
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return true; // let JSON.stringify and the replacer decide
  for (const k in v) if (hasNonFinite((v as Record<string, unknown>)[k])) return true;
  return false;
}

export function experimentView(exp: Experiment, locations: ArtifactLocations): Record<string, unknown> {
  return { ...exp, artifact_location: locations.experiment(exp) };
}

export function metricView(m: Metric): Record<string, unknown> {
  return { key: m.key, value: m.value, timestamp: m.timestamp, step: m.step };
}

/** A run in MLflow's protobuf JSON: `end_time` left out while running, inputs from the run record. */
export function runView(run: Run, exp: Experiment, locations: ArtifactLocations): Record<string, unknown> {
  const { end_time, ...info } = run.info;
  let inputs: DatasetInput[] = [];
  const tags = [];
  for (const t of run.data.tags) {
    if (t.key === INPUTS_TAG) inputs = parseInputs(t.value);
    else tags.push(t);
  }
  return {
    info: { ...info, ...(end_time === null ? {} : { end_time }), artifact_uri: locations.run(exp, run.info.run_id) },
    data: { metrics: run.data.metrics.map(metricView), params: run.data.params, tags },
    inputs: { dataset_inputs: inputs },
  };
}

function parseInputs(v: string): DatasetInput[] {
  try {
    const x = JSON.parse(v) as unknown;
    return Array.isArray(x) ? (x as DatasetInput[]) : [];
  } catch {
    return [];
  }
}
