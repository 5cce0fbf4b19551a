import { describe, expect, it } from 'vitest';
import { parseProxiedPath, safeRelativePath } from './artifact-locations.js';
import { Fields, queryFields, toDouble } from './request-fields.js';
import { sampleSteps } from './routes/runs.js';

const message = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  return 'no error';
};

describe('request fields read like MLflow reads them', () => {
  it("words type errors as MLflow does, with Python's repr of the value", () => {
    const raw = '{"artifact_location": 9.0, "name": 123, "metrics": [{"key": "mae", "value": 2.5}]}';
    const f = new Fields(JSON.parse(raw), raw);
    expect(message(() => f.string('artifact_location'))).toContain("Invalid value 9.0 for parameter 'artifact_location' supplied. Hint: Value was of type 'float'.");
    expect(message(() => f.string('name', true))).toContain("Invalid value 123 for parameter 'name' supplied. Hint: Value was of type 'int'.");
    expect(message(() => { throw f.invalid('metrics'); })).toContain("Invalid value [{'key': 'mae', 'value': 2.5}] for parameter 'metrics'");
    expect(message(() => f.string('missing', true))).toContain("Missing value for required parameter 'missing'.");
  });

  it('reads int64 from strings, doubles from NaN/Infinity spellings, and repeated query keys as lists', () => {
    const f = new Fields({ ts: '1700000000000', step: 'foo', v: '-Infinity' });
    expect(f.int('ts')).toBe(1_700_000_000_000);
    expect(message(() => f.int('step'))).toContain("Invalid value foo for parameter 'step'");
    expect(f.double('v')).toBe(-Infinity);
    expect(toDouble('NaN')).toBeNaN();
    expect(queryFields('/x?run_id=a&run_id=b&experiment_ids%5B%5D=0&one=1')).toEqual({ run_id: ['a', 'b'], experiment_ids: ['0'], one: '1' });
  });
});

describe('artifact paths', () => {
  it('refuses every way out of the run, however encoded', () => {
    for (const p of ['../x', 'a/../../x', '/etc/passwd', '%2e%2e/x', '%252e%252e/x', 'a\\..\\b', 'x%00', 'C:/x']) expect(message(() => safeRelativePath(p)), p).toBe('Invalid path');
    expect(safeRelativePath('model/./MLmodel')).toBe('model/MLmodel');
    expect(message(() => parseProxiedPath(['1', 'a'.repeat(32), 'artifacts', '..%2Fx']))).toBe('Invalid path');
    expect(parseProxiedPath(['12', 'a'.repeat(32), 'artifacts', 'model', 'MLmodel'])).toEqual({ experimentId: '12', runId: 'a'.repeat(32), path: 'model/MLmodel' });
    expect(message(() => parseProxiedPath(['12', 'HEAD', 'artifacts', 'x']))).toContain('No run artifacts');
  });
});

describe("MLflow's step sampling for metric charts", () => {
  it('matches _get_sampled_steps_from_steps', () => {
    const r = (a: number, b: number, s = 1) => Array.from({ length: Math.floor((b - a) / s) + 1 }, (_, i) => a + i * s);
    expect([...sampleSteps(0, 10, 5, r(0, 9))].sort((a, b) => a - b)).toEqual([0, 2, 4, 6, 8, 9]);
    expect([...sampleSteps(4, 8, 5, r(0, 9))].sort((a, b) => a - b)).toEqual([4, 5, 6, 7, 8]);
    expect([...sampleSteps(0, 100, 5, r(0, 100, 20))].sort((a, b) => a - b)).toEqual([0, 20, 40, 60, 80, 100]);
    expect([...sampleSteps(0, 1000, 5, r(0, 1000, 10))].sort((a, b) => a - b)).toEqual([0, 200, 400, 600, 800, 1000]);
  });
});
