/**
 * The scoring server's body readers against the references they replace: JSON.parse for the
 * resumable JSON parser and its byte scanner, and the CSV rules for the CSV reader.
 */
import { describe, expect, it } from 'vitest';
import { inputLimits, parseCsv, readJson, previewValue } from '@git-ml/models';

const limits = inputLimits();
// past 64 KiB a body takes the resumable parser, not JSON.parse
const padded = (json: string) => `${json}${' '.repeat(70 * 1024)}`;

function randomValue(depth: number, rnd: () => number): unknown {
  const r = rnd();
  if (depth > 4 || r < 0.4) {
    const k = Math.floor(rnd() * 7);
    if (k === 0) return null;
    if (k === 1) return rnd() < 0.5;
    if (k === 2) return Math.floor(rnd() * 2000) - 1000;
    if (k === 3) return (rnd() - 0.5) * 10 ** Math.floor(rnd() * 40 - 20);
    if (k === 4) return ['', 'a', 'é "q" \\ \n\t', '\u0001', '𝄞', '__proto__', ']', '}', '[{', 'x"]', '\\]', '{"a": [1]}'][Math.floor(rnd() * 12)];
    return 'x'.repeat(Math.floor(rnd() * 5));
  }
  if (r < 0.7) return Array.from({ length: Math.floor(rnd() * 4) }, () => randomValue(depth + 1, rnd));
  return Object.fromEntries(Array.from({ length: Math.floor(rnd() * 4) }, (_, i) => [['k', '__proto__', 'a b', ''][i % 4] + i, randomValue(depth + 1, rnd)]));
}

function seeded(seed: number): () => number {
  return () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

describe('readJson (the resumable parser)', () => {
  it('reads what JSON.parse reads, to the same value, small and large', async () => {
    const rnd = seeded(7);
    for (let i = 0; i < 300; i++) {
      const text = JSON.stringify(randomValue(0, rnd), null, i % 3 === 0 ? 1 : undefined);
      expect(await readJson(padded(text), limits)).toEqual(JSON.parse(text));
      expect(await readJson(text, limits)).toEqual(JSON.parse(text));
    }
    const proto = (await readJson(padded('{"__proto__": {"polluted": 1}}'), limits)) as Record<string, unknown>;
    expect(Object.keys(proto)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses what JSON.parse refuses, naming the place', async () => {
    const bad = ['{', '[1,]', '{"a" 1}', '{a: 1}', '01', '1.', '-', '.5', '1e', '"\\x"', '"a\u0001"', 'tru', 'nul', '[1 2]', '{"a":1,}', '"abc', '[]]', '1 2', '', '  '];
    for (const text of bad) {
      expect(() => JSON.parse(text), text).toThrow();
      const err = await readJson(padded(text), limits).catch((e: Error & { code?: string }) => e);
      expect(err, text).toBeInstanceOf(Error);
      expect((err as Error & { code?: string }).code, text).toBe('BAD_REQUEST');
      expect((err as Error).message, text).toMatch(/^The body is not valid JSON: .* at line \d+, column \d+ \(position \d+\)/);
    }
  });

  it('stops at the first value past maxCells and the first list past maxDepth, without parsing the rest', async () => {
    const many = `{"dataframe_records": [${'{},'.repeat(4_000_000)}{}]}`;
    const t = performance.now();
    const err = (await readJson(many, inputLimits({ maxCells: 1000 })).catch((e: Error) => e)) as Error & { code: string };
    expect(performance.now() - t).toBeLessThan(1000);
    expect(err.code).toBe('INVALID_PARAMETER_VALUE');
    expect(err.message).toMatch(/^The body has more than 1000 values; the server takes at most 1000 values per request \(maxCells, --max-cells/);
    const deep = `{"a": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    for (const text of [deep, padded(deep)]) {
      const e = (await readJson(text, limits).catch((x: Error) => x)) as Error & { code: string };
      expect(e.code).toBe('INVALID_PARAMETER_VALUE');
      expect(e.message).toMatch(/nests lists or objects .*64.*--max-depth/);
    }
  });

  it('gives the event loop back while it parses a large body', async () => {
    const text = JSON.stringify({ dataframe_split: { columns: ['a', 'b'], data: Array.from({ length: 200_000 }, (_, i) => [i, i / 3]) } });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const value = (await readJson(text, limits)) as { dataframe_split: { data: number[][] } };
    clearInterval(timer);
    expect(value.dataframe_split.data[199_999]).toEqual([199_999, 199_999 / 3]);
    expect(ticks).toBeGreaterThan(2);
  });
});

describe('parseCsv', () => {
  it('reads quoted fields, doubled quotes, CRLF, blank lines and a last line without a break', () => {
    expect(parseCsv('a,b\r\n"x,1","say ""hi""\nthere"\n\n3,\n4,5')).toEqual([['a', 'b'], ['x,1', 'say "hi"\nthere'], ['3', ''], ['4', '5']]);
    expect(parseCsv('a\n\n\n')).toEqual([['a']]);
  });
});

describe('previewValue', () => {
  it('cuts long values to 80 characters and says how big they were', () => {
    expect(previewValue('x'.repeat(15 * 1024 * 1024))).toBe(`"${'x'.repeat(80)}"…(15728640 bytes)`);
    expect(previewValue([1, 'a', null])).toBe('[1,"a",null]');
    expect(previewValue(Array.from({ length: 1000 }, (_, i) => i))).toMatch(/^\[0,1,2,.{60,}…\(1000 items\)$/);
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(previewValue(deep)).toBe(`${'['.repeat(10)}…${']'.repeat(10)}`);
  });
});
