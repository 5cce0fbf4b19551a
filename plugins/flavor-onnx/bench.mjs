// The ONNX flavor's overhead over a bare onnxruntime InferenceSession.run, on the same model file.
// Run it with `node plugins/flavor-onnx/bench.mjs [repeat]` after building, or import
// `onnxOverheadBench` (the repository's `npm run bench` does).
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readMLmodel } from '@git-ml/models';
import { Tensor } from 'onnxruntime-node';
import { loadOnnx } from './dist/index.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/mlflow-onnx-logreg', import.meta.url));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function rowsFor(n, width) {
  const rows = [];
  for (let i = 0; i < n; i++) rows.push(Array.from({ length: width }, (_, j) => Math.sin(i * width + j)));
  return rows;
}

// What a hand-written caller does with the same rows: fill a Float32Array, wrap it, run.
function bareTensor(rows, width) {
  const out = new Float32Array(rows.length * width);
  let k = 0;
  for (const row of rows) for (let c = 0; c < width; c++) out[k++] = row[c];
  return new Tensor('float32', out, [rows.length, width]);
}

/**
 * Times `repeat` calls of each path per batch size, interleaved so that drift hits all alike:
 * - flavor: the loaded model's predictor on a frame of `n` rows of JS numbers (what the scoring
 *   server hands it): rows → tensor, run, outputs → JS arrays (int64 → numbers);
 * - bare: `session.run` on a tensor filled from the same rows by a plain loop, outputs left as
 *   onnxruntime tensors — the least any caller holding JS rows must do (`overheadPct`);
 * - bareTyped: `session.run` on a prebuilt Float32Array, no conversion at all
 *   (`overheadVsTypedPct`: also counts the unavoidable rows → Float32Array copy).
 * All three use the flavor's own session: two sessions would each keep an onnxruntime thread pool
 * spinning on this 2-core machine and the noise would swamp the difference being measured.
 * Returns median microseconds per call; the overheads are the median of the per-round differences
 * (flavor − bare, measured back to back) over the bare median, which drifts far less than a
 * difference of two medians when the machine is busy.
 *
 * @param {{ repeat?: number, warmup?: number, batches?: number[], modelDir?: string }} [options]
 */
export async function onnxOverheadBench({ repeat = 3000, warmup = 1000, batches = [1, 100], modelDir = FIXTURE } = {}) {
  const mlmodel = readMLmodel(modelDir);
  const predictor = await loadOnnx({ dir: modelDir, mlmodel, config: mlmodel.flavors.onnx ?? {} });
  const session = predictor.session;
  const input = session.inputNames[0];
  const width = Number(session.inputMetadata[0].shape[1]);
  const cases = [];
  try {
    for (const n of batches) {
      const rows = rowsFor(n, width);
      const flat = Float32Array.from(rows.flat());
      const frame = { kind: 'frame', frame: { columns: rows[0].map((_, j) => String(j)), data: rows } };
      const paths = {
        flavor: () => predictor.predict(frame),
        bare: () => session.run({ [input]: bareTensor(rows, width) }),
        bareTyped: () => session.run({ [input]: new Tensor('float32', flat, [n, width]) }),
      };
      const names = Object.keys(paths);
      const t = Object.fromEntries(names.map((k) => [k, []]));
      for (let i = 0; i < warmup + repeat; i++) {
        // rotate the order so no path always runs right after another
        for (let j = 0; j < names.length; j++) {
          const name = names[(i + j) % names.length];
          const start = process.hrtime.bigint();
          await paths[name]();
          if (i >= warmup) t[name].push(Number(process.hrtime.bigint() - start) / 1000);
        }
      }
      const [flavorUs, bareUs, typedUs] = names.map((k) => median(t[k]));
      const overheadUs = median(t.flavor.map((f, i) => f - t.bare[i]));
      const overheadVsTypedUs = median(t.flavor.map((f, i) => f - t.bareTyped[i]));
      cases.push({
        rows: n,
        flavorMedianUs: round(flavorUs),
        bareMedianUs: round(bareUs),
        bareTypedMedianUs: round(typedUs),
        overheadUs: round(overheadUs),
        overheadPct: round((overheadUs / bareUs) * 100),
        overheadVsTypedPct: round((overheadVsTypedUs / typedUs) * 100),
      });
    }
  } finally {
    await predictor.close();
  }
  return { model: modelDir, repeat, targetOverheadPct: 10, cases };
}

const round = (x) => Math.round(x * 100) / 100;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const repeat = Number(process.argv[2]) || undefined;
  console.log(JSON.stringify(await onnxOverheadBench({ repeat }), null, 2));
}
