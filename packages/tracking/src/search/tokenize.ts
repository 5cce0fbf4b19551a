/**
 * The tokenizer shared by filter and order_by parsing. Identifiers are lexed whole
 * (`metrics.val-loss`, ``params.`my key` ``) because a key may contain characters such as `-`, `/`,
 * `:` and `.` that would otherwise be punctuation.
 */

export type Quote = "'" | '"' | '`';

interface Span {
  /** the source text of the token */
  text: string;
  /** 0-based offset of the token's first character */
  pos: number;
  /** offset just past the token */
  end: number;
}

export type Token =
  /** a bare word: a keyword (AND, LIKE, ASC…) or an attribute name such as `status` */
  | (Span & { kind: 'word' })
  /** `<prefix>.<key>` with the key unquoted or quoted */
  | (Span & { kind: 'ident'; prefix: string; key: string; keyPos: number })
  | (Span & { kind: 'string'; value: string; quote: Quote })
  | (Span & { kind: 'number'; value: number })
  | (Span & { kind: 'op' })
  | (Span & { kind: 'punct' })
  | (Span & { kind: 'end' });

/** Raises the caller's syntax error at a position; never returns. */
export type Fail = (position: number, reason: string) => never;

const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
// MLflow key names hold letters, digits, `_ - . / :` and spaces; spaces need quoting.
const UNQUOTED_KEY = /[\p{L}\p{N}_.\-/:]+/uy;
const NUMBER = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const AFTER_NUMBER = /[\p{L}\p{N}_.]/u;
const OPERATORS = ['!=', '<=', '>=', '<>', '==', '=', '<', '>'];

function match(re: RegExp, src: string, at: number): string | undefined {
  re.lastIndex = at;
  return re.exec(src)?.[0];
}

/**
 * Reads a quoted run starting at `start` (which holds the quote). A doubled quote stands for itself
 * (SQL style). In '…' and "…", backslash escapes `\\`, `\'` and `\"`; any other backslash is kept
 * as written so LIKE patterns can use `\%` and `\_` and Windows paths survive unchanged.
 */
function readQuoted(src: string, start: number, quote: Quote, fail: Fail): { value: string; end: number } {
  let value = '';
  let i = start + 1;
  while (i < src.length) {
    const c = src[i];
    if (c === '\\' && quote !== '`' && i + 1 < src.length) {
      const next = src[i + 1];
      if (next === '\\' || next === "'" || next === '"') {
        value += next;
        i += 2;
        continue;
      }
    } else if (c === quote) {
      if (src[i + 1] !== quote) return { value, end: i + 1 };
      i++;
    }
    value += src[i];
    i++;
  }
  return fail(start, `unterminated quoted text starting at position ${start}; expected a closing ${quote}`);
}

/** Splits `src` into tokens, ending with one `end` token at `src.length`. */
export function tokenize(src: string, fail: Fail): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    const word = match(WORD, src, i);
    if (word !== undefined) {
      i += word.length;
      if (src[i] !== '.') {
        tokens.push({ kind: 'word', text: word, pos: start, end: i });
        continue;
      }
      i++;
      const keyPos = i;
      let key: string;
      const q = src[i];
      if (q === '`' || q === '"' || q === "'") {
        const quoted = readQuoted(src, i, q, fail);
        key = quoted.value;
        i = quoted.end;
      } else {
        const bare = match(UNQUOTED_KEY, src, i);
        if (bare === undefined) {
          return fail(i, `expected a key after '${src.slice(start, i)}' (quote keys containing spaces: ${word}.\`my key\`)`);
        }
        key = bare;
        i += bare.length;
      }
      tokens.push({ kind: 'ident', text: src.slice(start, i), pos: start, end: i, prefix: word, key, keyPos });
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      const quoted = readQuoted(src, i, c, fail);
      i = quoted.end;
      tokens.push({ kind: 'string', text: src.slice(start, i), pos: start, end: i, value: quoted.value, quote: c });
      continue;
    }
    const num = match(NUMBER, src, i);
    if (num !== undefined) {
      i += num.length;
      if (i < src.length && AFTER_NUMBER.test(src[i])) {
        return fail(start, `'${src.slice(start, i + 1)}…' is not a valid number`);
      }
      tokens.push({ kind: 'number', text: num, pos: start, end: i, value: Number(num) });
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (op !== undefined) {
      i += op.length;
      tokens.push({ kind: 'op', text: op, pos: start, end: i });
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      i++;
      tokens.push({ kind: 'punct', text: c, pos: start, end: i });
      continue;
    }
    return fail(i, `unexpected character '${c}'`);
  }
  tokens.push({ kind: 'end', text: '', pos: src.length, end: src.length });
  return tokens;
}

/** How a token is named in error messages. */
export function describeToken(token: Token): string {
  return token.kind === 'end' ? 'the end of the input' : `'${token.text}'`;
}

/** True when `token` is the bare word `keyword`, ignoring case. */
export function isKeyword(token: Token, keyword: string): boolean {
  return token.kind === 'word' && token.text.toUpperCase() === keyword;
}
