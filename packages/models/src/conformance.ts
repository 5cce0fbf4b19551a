/**
 * The conformance suite every flavor runs: save → load → identical predictions → serve over real
 * HTTP on 127.0.0.1 (JSON and CSV, and a bad request). A flavor may skip a step only with a reason.
 *
 * ```ts
 * import { describe, it } from 'vitest';
 * import { conformanceSuite } from '@git-ml/models/conformance';
 * conformanceSuite({ describe, it }, { flavor, cases: [{ name: 'binary', model, input, signature }] });
 * ```
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Flavor, Prediction } from './flavor.js';
import { loadModel, saveModel } from './model.js';
import { GENERIC_FLAVOR } from './mlmodel.js';
import { serveModel } from './serve.js';
import type { Signature } from './signature.js';

export interface ConformanceCase<M> {
  name: string;
  model: M;
  /** column-based input: `{ columns, data }` (also sent as CSV); tensor-based: nested arrays */
  input: { columns: string[]; data: unknown[][] } | unknown[];
  signature?: Signature;
  /** what the in-memory model predicts for `input` (the loaded one must match exactly) */
  expected: Prediction;
}

export interface ConformanceOptions<M> {
  flavor: Flavor<M>;
  cases: ConformanceCase<M>[];
  /** steps this flavor skips, each with the reason (an empty reason is refused) */
  skip?: { serve?: string; csv?: string };
}

type Describe = (name: string, fn: () => void) => void;
type It = ((name: string, fn: () => Promise<void> | void) => void) & { skipIf: (condition: boolean) => (name: string, fn: () => Promise<void> | void) => void };

function assertEqual(actual: unknown, expected: unknown, what: string): void {
  if (!isDeepStrictEqual(JSON.parse(JSON.stringify(actual)), JSON.parse(JSON.stringify(expected)))) {
    throw new Error(`${what}: got ${JSON.stringify(actual).slice(0, 300)}, expected ${JSON.stringify(expected).slice(0, 300)}`);
  }
}

export function conformanceSuite<M>({ describe, it }: { describe: Describe; it: It }, options: ConformanceOptions<M>): void {
  for (const [step, reason] of Object.entries(options.skip ?? {})) {
    if (typeof reason !== 'string' || reason.trim().length < 10) throw new Error(`conformanceSuite: skipping '${step}' needs a reason (a sentence saying why).`);
  }
  const { flavor } = options;
  describe(`flavor ${flavor.name} (${flavor.package}) conformance`, () => {
    for (const c of options.cases) {
      it(`${c.name}: save → load → identical predictions`, async () => {
        const dir = join(mkdtempSync(join(tmpdir(), 'git-ml-conformance-')), 'model');
        try {
          const mlmodel = await saveModel(c.model, dir, { flavor, signature: c.signature, inputExample: sample(c.input) });
          if (!mlmodel.flavors[flavor.name]) throw new Error(`MLmodel lacks flavors.${flavor.name}`);
          const generic = mlmodel.flavors[GENERIC_FLAVOR] as { loader_package?: string } | null;
          if (generic?.loader_package !== flavor.package) throw new Error(`MLmodel's ${GENERIC_FLAVOR} flavor must name ${flavor.package}`);
          const loaded = await loadModel(dir);
          if (loaded.flavor !== flavor.name) throw new Error(`loaded with flavor ${loaded.flavor}, expected ${flavor.name}`);
          assertEqual(await loaded.predict(c.input), c.expected, 'predictions after load');
          await loaded.close();
        } finally {
          rmSync(join(dir, '..'), { recursive: true, force: true });
        }
      });
      // a flavor that cannot be served says why, in the test's name (as every conditional test does)
      const noServe = options.skip?.serve;
      it.skipIf(Boolean(noServe))(`${c.name}: serve (JSON, CSV, bad input) on 127.0.0.1${noServe ? ` (skipped: ${noServe})` : ''}`, async () => {
        const dir = join(mkdtempSync(join(tmpdir(), 'git-ml-conformance-')), 'model');
        await saveModel(c.model, dir, { flavor, signature: c.signature });
        const loaded = await loadModel(dir);
        const { app, url } = await serveModel(loaded, { port: 0 });
        try {
          const post = (body: string, type: string) => fetch(`${url}/invocations`, { method: 'POST', headers: { 'content-type': type }, body });
          const json = Array.isArray(c.input) ? { inputs: c.input } : { dataframe_split: c.input };
          const r = await post(JSON.stringify(json), 'application/json');
          if (r.status !== 200) throw new Error(`POST /invocations answered ${r.status}: ${await r.text()}`);
          assertEqual(((await r.json()) as { predictions: unknown }).predictions, c.expected, 'served predictions (JSON)');
          if (!Array.isArray(c.input) && !options.skip?.csv) {
            const csv = [c.input.columns.join(','), ...c.input.data.map((row) => row.join(','))].join('\n');
            const rc = await post(csv, 'text/csv');
            if (rc.status !== 200) throw new Error(`CSV POST answered ${rc.status}: ${await rc.text()}`);
            assertEqual(((await rc.json()) as { predictions: unknown }).predictions, c.expected, 'served predictions (CSV)');
          }
          const bad = await post('{"dataframe_split": ', 'application/json');
          const badBody = (await bad.json()) as { error_code?: string };
          if (bad.status !== 400 || badBody.error_code !== 'BAD_REQUEST') throw new Error(`broken JSON answered ${bad.status} ${JSON.stringify(badBody)}`);
          if ((await fetch(`${url}/ping`)).status !== 200) throw new Error('GET /ping failed');
        } finally {
          await app.close();
          await loaded.close();
          rmSync(join(dir, '..'), { recursive: true, force: true });
        }
      });
    }
  });
}

function sample(input: ConformanceCase<unknown>['input']): unknown {
  return Array.isArray(input) ? input.slice(0, 3) : { columns: input.columns, data: input.data.slice(0, 3) };
}
