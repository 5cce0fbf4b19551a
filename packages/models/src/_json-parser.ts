import { BadInputError } from './errors.js';
import { overLimit, type InputLimits } from './limits.js';

/** The longest list or object handed to JSON.parse whole. */
const LEAF_MAX = 16 * 1024;

const enum State {
  Value,
  ValueOrEnd,
  Key,
  KeyOrEnd,
  AfterValue,
  Done,
}

interface Open {
  value: unknown[] | Record<string, unknown>;
  key: string | null;
  empty: boolean;
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
// a string needs JSON.parse only when it has an escape or a control character (which is invalid)
const NEEDS_PARSE = /[\\\u0000-\u001f]/;

/**
 * A JSON parser that can stop and resume (`step(deadline)`), with an explicit stack instead of
 * recursion, that refuses a value past maxCells and a list or object past maxDepth as it meets it.
 * Builds what JSON.parse builds (own `__proto__` keys included).
 */
export class JsonParser {
  result: unknown;
  private pos = 0;
  private state = State.Value;
  private readonly stack: Open[] = [];
  private cells = 0;

  constructor(
    private readonly text: string,
    private readonly limits: InputLimits,
    private readonly what: string,
  ) {}

  /** Parses until done (true) or until `deadline` (performance.now()) has passed (false). */
  step(deadline: number): boolean {
    const text = this.text;
    let n = 0;
    while (this.state !== State.Done) {
      if ((++n & 1023) === 0 && performance.now() > deadline) return false;
      let c = text.charCodeAt(this.pos);
      while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = text.charCodeAt(++this.pos);
      if (this.pos >= text.length) {
        if (this.stack.length === 0 && this.state === State.AfterValue) break;
        throw this.syntax('unexpected end of the body');
      }
      switch (this.state) {
        case State.ValueOrEnd:
          if (c === 0x5d) {
            this.pos++;
            this.close();
            break;
          }
        // falls through: a value
        case State.Value:
          this.value(c);
          break;
        case State.KeyOrEnd:
          if (c === 0x7d) {
            this.pos++;
            this.close();
            break;
          }
        // falls through: a key
        case State.Key: {
          if (c !== 0x22) throw this.syntax('expected a property name in double quotes');
          const key = this.string();
          let d = text.charCodeAt(this.pos);
          while (d === 0x20 || d === 0x0a || d === 0x0d || d === 0x09) d = text.charCodeAt(++this.pos);
          if (d !== 0x3a) throw this.syntax("expected ':' after a property name");
          this.pos++;
          this.stack[this.stack.length - 1].key = key;
          this.state = State.Value;
          break;
        }
        case State.AfterValue: {
          const top = this.stack[this.stack.length - 1];
          if (!top) throw this.syntax('unexpected text after the JSON value');
          const array = Array.isArray(top.value);
          this.pos++;
          if (c === 0x2c) this.state = array ? State.Value : State.Key;
          else if (c === (array ? 0x5d : 0x7d)) this.close();
          else {
            this.pos--;
            throw this.syntax(`expected ',' or '${array ? ']' : '}'}'`);
          }
          break;
        }
      }
    }
    this.state = State.Done;
    return true;
  }

  private value(c: number): void {
    const text = this.text;
    if (c === 0x7b || c === 0x5b) {
      if (this.stack.length >= this.limits.maxDepth) throw overLimit('maxDepth', this.limits, `${this.what} nests lists or objects more than ${this.limits.maxDepth} deep`);
      if (this.leaf(c)) return;
      this.pos++;
      this.stack.push({ value: c === 0x5b ? [] : {}, key: null, empty: true });
      this.state = c === 0x5b ? State.ValueOrEnd : State.KeyOrEnd;
      return;
    }
    let v: unknown;
    if (c === 0x22) v = this.string();
    else if (c === 0x2d || isDigit(c)) v = this.number();
    else if (text.startsWith('true', this.pos)) {
      v = true;
      this.pos += 4;
    } else if (text.startsWith('false', this.pos)) {
      v = false;
      this.pos += 5;
    } else if (text.startsWith('null', this.pos)) {
      v = null;
      this.pos += 4;
    } else throw this.syntax('expected a value');
    this.cell();
    this.add(v);
  }

  /**
   * A list or object holding only scalars (a row, a record) is parsed by JSON.parse in one call:
   * if the text up to the first closing bracket has no other bracket and parses, it is exactly
   * that container. Anything else (nesting, a bracket inside a string, bad JSON) takes the slow path.
   */
  private leaf(c: number): boolean {
    const text = this.text;
    const start = this.pos;
    const end = text.indexOf(c === 0x5b ? ']' : '}', start + 1);
    if (end < 0 || end - start > LEAF_MAX) return false;
    const body = text.slice(start, end + 1);
    if (body.indexOf('[', 1) >= 0 || body.indexOf('{', 1) >= 0) return false;
    let v: unknown[] | Record<string, unknown>;
    try {
      v = JSON.parse(body) as unknown[] | Record<string, unknown>;
    } catch {
      return false;
    }
    const n = Array.isArray(v) ? v.length : Object.keys(v).length;
    this.cells += n > 0 ? n - 1 : 0;
    this.cell();
    this.pos = end + 1;
    this.add(v);
    return true;
  }

  private cell(): void {
    if (++this.cells > this.limits.maxCells) throw overLimit('maxCells', this.limits, `${this.what} has more than ${this.limits.maxCells} values`);
  }

  private add(v: unknown): void {
    const top = this.stack[this.stack.length - 1];
    if (!top) this.result = v;
    else {
      top.empty = false;
      if (Array.isArray(top.value)) top.value.push(v);
      else if (top.key === '__proto__') Object.defineProperty(top.value, top.key, { value: v, enumerable: true, writable: true, configurable: true });
      else top.value[top.key!] = v;
    }
    this.state = State.AfterValue;
  }

  private close(): void {
    const top = this.stack.pop()!;
    if (top.empty) this.cell();
    this.add(top.value);
  }

  private string(): string {
    const text = this.text;
    const start = this.pos;
    let end = start;
    for (;;) {
      end = text.indexOf('"', end + 1);
      if (end < 0) throw this.syntax('unterminated string');
      let slashes = 0;
      while (text.charCodeAt(end - 1 - slashes) === 0x5c) slashes++;
      if (slashes % 2 === 0) break;
    }
    this.pos = end + 1;
    const raw = text.slice(start + 1, end);
    if (!NEEDS_PARSE.test(raw)) return raw;
    try {
      return JSON.parse(text.slice(start, end + 1)) as string;
    } catch {
      this.pos = start;
      throw this.syntax('bad escape or control character in a string');
    }
  }

  private number(): number {
    const text = this.text;
    const start = this.pos;
    let p = start;
    if (text.charCodeAt(p) === 0x2d) p++;
    if (text.charCodeAt(p) === 0x30) p++;
    else if (isDigit(text.charCodeAt(p))) while (isDigit(text.charCodeAt(p))) p++;
    else return this.badNumber(p);
    if (text.charCodeAt(p) === 0x2e) {
      if (!isDigit(text.charCodeAt(++p))) return this.badNumber(p);
      while (isDigit(text.charCodeAt(p))) p++;
    }
    const e = text.charCodeAt(p);
    if (e === 0x65 || e === 0x45) {
      const s = text.charCodeAt(++p);
      if (s === 0x2b || s === 0x2d) p++;
      if (!isDigit(text.charCodeAt(p))) return this.badNumber(p);
      while (isDigit(text.charCodeAt(p))) p++;
    }
    this.pos = p;
    return Number(text.slice(start, p));
  }

  private badNumber(at: number): never {
    this.pos = at;
    throw this.syntax('bad number');
  }

  private syntax(problem: string): BadInputError {
    let line = 1;
    let lineStart = 0;
    for (let i = this.text.indexOf('\n'); i >= 0 && i < this.pos; i = this.text.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
    const column = this.pos - lineStart + 1;
    const near = this.pos < this.text.length ? ` near ${JSON.stringify(this.text.slice(this.pos, this.pos + 20))}` : '';
    return new BadInputError(`${this.what} is not valid JSON: ${problem} at line ${line}, column ${column} (position ${this.pos})${near}.`, { line, column });
  }
}
