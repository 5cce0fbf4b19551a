/**
 * Just enough GraphQL for what MLflow's UI asks `/graphql` (`mlflowGetRun`, `mlflowGetExperiment`,
 * `mlflowSearchModelVersions`, and the `test` probe): a query document with nested selections,
 * arguments (literals, objects, lists, `$variables`) and aliases. No fragments or mutations.
 */

type Value = string | number | boolean | null | Value[] | { [k: string]: Value };

export interface Selection {
  name: string;
  alias: string;
  args: Record<string, Value>;
  children: Selection[];
}

export class GraphqlSyntaxError extends Error {}

const TOKEN = /\s*(?:(#[^\n]*)|("(?:[^"\\]|\\.)*")|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|(\$?[_A-Za-z][_0-9A-Za-z]*)|(\.\.\.|[{}():,[\]!=@]))/y;

function tokenize(src: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < src.length) {
    if (/^\s*$/.test(src.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(src);
    if (!m) throw new GraphqlSyntaxError(`Syntax error at position ${at}: unexpected '${src.slice(at, at + 10)}'.`);
    at = TOKEN.lastIndex;
    if (m[1] || m[0].trim() === ',') continue;
    out.push(m[0].trim());
  }
  return out;
}

/** Parses a query document; returns the selections of its (first) operation. */
export function parseQuery(src: string, variables: Record<string, Value> = {}): Selection[] {
  const t = tokenize(src);
  let i = 0;
  const peek = () => t[i];
  const next = () => {
    if (i >= t.length) throw new GraphqlSyntaxError('Unexpected end of query.');
    return t[i++];
  };
  const expect = (s: string) => {
    const x = next();
    if (x !== s) throw new GraphqlSyntaxError(`Expected '${s}', found '${x}'.`);
  };
  const value = (): Value => {
    const x = next();
    if (x.startsWith('"')) return JSON.parse(x) as string;
    if (x.startsWith('$')) return variables[x.slice(1)] ?? null;
    if (/^-?\d/.test(x)) return Number(x);
    if (x === 'true' || x === 'false') return x === 'true';
    if (x === 'null') return null;
    if (x === '[') {
      const list: Value[] = [];
      while (peek() !== ']') list.push(value());
      next();
      return list;
    }
    if (x === '{') {
      const obj: Record<string, Value> = {};
      while (peek() !== '}') {
        const k = next();
        expect(':');
        obj[k] = value();
      }
      next();
      return obj;
    }
    return x; // an enum value
  };
  const selections = (): Selection[] => {
    expect('{');
    const out: Selection[] = [];
    while (peek() !== '}') {
      if (peek() === '...') throw new GraphqlSyntaxError('Fragments are not supported by git-ml server.');
      let alias = next();
      let name = alias;
      if (peek() === ':') {
        next();
        name = next();
      }
      const args: Record<string, Value> = {};
      if (peek() === '(') {
        next();
        while (peek() !== ')') {
          const k = next();
          expect(':');
          args[k] = value();
        }
        next();
      }
      out.push({ name, alias, args, children: peek() === '{' ? selections() : [] });
    }
    next();
    return out;
  };
  if (peek() === 'query') {
    next();
    if (peek() !== '{' && peek() !== '(') next();
    if (peek() === '(') {
      while (next() !== ')');
    }
  } else if (peek() !== '{') throw new GraphqlSyntaxError(`Only queries are supported, found '${peek()}'.`);
  return selections();
}

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export type Resolver = (args: Record<string, Value>) => unknown;

/** Resolves selections against plain objects (camelCase fields read snake_case keys) and root resolvers. */
export function execute(selections: Selection[], root: Record<string, Resolver>): Record<string, unknown> {
  const project = (value: unknown, sel: Selection[]): unknown => {
    if (value === null || value === undefined) return null;
    if (Array.isArray(value)) return value.map((v) => project(v, sel));
    if (sel.length === 0 || typeof value !== 'object') return value;
    const obj = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const s of sel) {
      const v = s.name in obj ? obj[s.name] : obj[snake(s.name)];
      out[s.alias] = typeof v === 'function' ? project((v as Resolver)(s.args), s.children) : project(v, s.children);
    }
    return out;
  };
  const data: Record<string, unknown> = {};
  for (const s of selections) {
    const r = root[s.name];
    if (!r) throw new GraphqlSyntaxError(`Cannot query field '${s.name}' on type 'Query'.`);
    data[s.alias] = project(r(s.args), s.children);
  }
  return data;
}
