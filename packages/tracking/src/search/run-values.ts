/**
 * Reading one searchable value out of a run. Shared by filtering and sorting so both agree on what
 * "the value of metrics.acc" is and on when a run lacks it.
 */
import type { Run } from '../model.js';
import type { Entity } from './identifiers.js';

/** A value read from a run; `undefined` when the run does not have it. */
export type RunValue = number | string | undefined;

/**
 * A function reading `entity`/`key` from a run. Metrics give the run's latest value (what
 * `run.data.metrics` holds); `end_time` of an unfinished run (null) reads as missing, and so does
 * `duration` (git-ml's attribute: end_time − start_time).
 */
export function valueGetter(entity: Entity, key: string): (run: Run) => RunValue {
  switch (entity) {
    case 'metric':
      return (run) => {
        const metrics = run.data.metrics;
        for (let i = 0; i < metrics.length; i++) if (metrics[i].key === key) return metrics[i].value;
        return undefined;
      };
    case 'param':
      return (run) => {
        const params = run.data.params;
        for (let i = 0; i < params.length; i++) if (params[i].key === key) return params[i].value;
        return undefined;
      };
    case 'tag':
      return (run) => {
        const tags = run.data.tags;
        for (let i = 0; i < tags.length; i++) if (tags[i].key === key) return tags[i].value;
        return undefined;
      };
    case 'attribute':
      if (key === 'duration') return (run) => (typeof run.info.end_time === 'number' ? run.info.end_time - run.info.start_time : undefined);
      return (run) => {
        const value: unknown = (run.info as unknown as Record<string, unknown>)[key];
        return typeof value === 'number' || typeof value === 'string' ? value : undefined;
      };
  }
}
