import { expect, test } from 'vitest';
// @ts-expect-error bench.mjs is plain JS without type declarations
import { onnxOverheadBench } from '../bench.mjs';

test('onnxOverheadBench returns median timings and overheads for single rows and 100-row batches', async () => {
  const r = await onnxOverheadBench({ repeat: 30, warmup: 10 });
  expect(r.cases.map((c: { rows: number }) => c.rows)).toEqual([1, 100]);
  for (const c of r.cases) {
    for (const k of ['flavorMedianUs', 'bareMedianUs', 'bareTypedMedianUs']) expect(c[k]).toBeGreaterThan(0);
    expect(Number.isFinite(c.overheadPct)).toBe(true);
    expect(Number.isFinite(c.overheadVsTypedPct)).toBe(true);
  }
});
