/**
 * JSON request bodies, read under the input limits. Large bodies are parsed by a resumable parser
 * that gives the event loop back every few milliseconds and stops at the first value past a limit,
 * so a 16 MB body of empty objects or a list nested 100 000 deep costs milliseconds, not seconds,
 * and `/ping` keeps answering meanwhile. Small bodies take JSON.parse, then a depth check.
 */
import { BadInputError } from './errors.js';
import { JsonParser } from './_json-parser.js';
import { overLimit, type InputLimits } from './limits.js';

/** Bodies up to this many characters are parsed with JSON.parse in one go (well under 1 ms). */
const SMALL = 64 * 1024;
/** How long the parser runs before it yields to the event loop. */
const SLICE_MS = 4;

/** JSON.parse's result for `text`, refused with a 400 past the limits; yields while it parses a large body. */
export async function readJson(text: string, limits: InputLimits, what = 'The body'): Promise<unknown> {
  if (text.length <= SMALL) return readSmall(text, limits, what);
  const parser = new JsonParser(text, limits, what);
  while (!parser.step(performance.now() + SLICE_MS)) await new Promise((r) => setImmediate(r));
  return parser.result;
}

function readSmall(text: string, limits: InputLimits, what: string): unknown {
  let value: unknown;
  try {
    // JSON.parse does not recurse (a list nested a million deep parses); what reads the value after does
    value = JSON.parse(text);
  } catch (err) {
    throw new BadInputError(`${what} is not valid JSON: ${(err as Error).message}`);
  }
  if (deeperThan(value, limits.maxDepth)) throw overLimit('maxDepth', limits, `${what} nests lists or objects more than ${limits.maxDepth} deep`);
  // a value takes at least two characters (with its separator), so only a small maxCells can be passed
  if (text.length / 2 + 1 > limits.maxCells) {
    const cells = countCells(value);
    if (cells > limits.maxCells) throw overLimit('maxCells', limits, `${what} has ${cells} values, more than ${limits.maxCells}`);
  }
  return value;
}

function deeperThan(root: unknown, max: number): boolean {
  if (root === null || typeof root !== 'object') return false;
  const stack: [object, number][] = [[root, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (depth > max) return true;
    const items = Array.isArray(v) ? v : Object.values(v);
    for (let i = 0; i < items.length; i++) {
      const x = items[i];
      if (x !== null && typeof x === 'object') stack.push([x, depth + 1]);
    }
  }
  return false;
}

function countCells(v: unknown): number {
  const stack = [v];
  let n = 0;
  while (stack.length) {
    const x = stack.pop();
    if (x === null || typeof x !== 'object') n++;
    else {
      const items = Array.isArray(x) ? x : Object.values(x);
      if (items.length === 0) n++;
      else for (const y of items) stack.push(y);
    }
  }
  return n;
}
