/** One grammar for runs, experiments and the registry: only the vocabulary differs. */
import { describe, expect, it } from 'vitest';
import type { Experiment } from '../model.js';
import { FilterSyntaxError } from './errors.js';
import { compileFilterFor } from './evaluate.js';
import type { SearchSchema } from './identifiers.js';
import { experimentFilter } from './search-experiments.js';

const exp = (name: string, created: number, tags: Record<string, string> = {}): Experiment => ({
  experiment_id: name,
  name,
  artifact_location: '',
  lifecycle_stage: 'active',
  creation_time: created,
  last_update_time: created,
  tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
});

describe('experiment filters', () => {
  const all = [exp('alpha', 100, { team: 'cv' }), exp('beta', 200, { team: 'nlp' }), exp('gamma', 300)];
  const names = (filter: string) => all.filter(experimentFilter(filter)).map((e) => e.name);

  it("take MLflow's clauses and, like run search, OR and parentheses", () => {
    expect(names("attribute.name = 'alpha'")).toEqual(['alpha']);
    expect(names("name LIKE '%a' AND creation_time >= 200")).toEqual(['beta', 'gamma']);
    expect(names("tag.team ILIKE 'C%' OR (creation_time > 250 AND name != 'beta')")).toEqual(['alpha', 'gamma']);
    expect(names("tags.team != 'cv'")).toEqual(['beta']);
  });

  it('point at the wrong character and name what experiments have', () => {
    const err = (() => {
      try {
        names("name = 'a' AND metrics.acc > 1");
      } catch (e) {
        return e as FilterSyntaxError;
      }
    })()!;
    expect(err).toBeInstanceOf(FilterSyntaxError);
    expect(err.message).toMatch(/^Invalid filter at position 15: experiments have no 'metrics\.'; expected tags\. or attributes\./);
    expect(() => names('owner = 1')).toThrow(/unknown attribute 'owner'; attributes of experiments are name, creation_time, last_update_time/);
    expect(() => names("creation_time = 'x'")).toThrow(/expected a number to compare attribute 'creation_time' with/);
  });
});

describe('a schema with a list attribute (model versions)', () => {
  const schema: SearchSchema = { subject: 'model versions', entities: new Set(['tag']), attributes: { name: 'string', run_id: 'string' }, lists: new Set(['run_id']), example: 'name' };
  const rows = [
    { name: 'a', run_id: 'r1' },
    { name: 'b', run_id: 'r2' },
    { name: 'c', run_id: 'r3' },
  ];
  const pick = (filter: string) => rows.filter(compileFilterFor<(typeof rows)[number]>(filter, schema, (_e, key) => (row) => (row as Record<string, string>)[key])).map((r) => r.name);

  it('takes IN and NOT IN for that attribute only', () => {
    expect(pick("run_id IN ('r1', 'r3')")).toEqual(['a', 'c']);
    expect(pick("run_id NOT IN ('r1') AND name != 'c'")).toEqual(['b']);
    expect(() => pick("name IN ('a')")).toThrow(/IN and NOT IN are only supported for run_id/);
  });
});
