/**
 * Parses MLflow's `search_runs` filter language into a tree, plus `OR` and parentheses (AND binds
 * tighter than OR). Keywords are case-insensitive; keys are case-sensitive.
 *
 *   filter     := orExpr | (empty)
 *   orExpr     := andExpr ( OR andExpr )*
 *   andExpr    := primary ( AND primary )*
 *   primary    := '(' orExpr ')' | comparison
 *   comparison := identifier ( op number | op string | (LIKE|ILIKE) string | [NOT] IN '(' string, … ')' )
 */
import { FilterSyntaxError } from './errors.js';
import { identifierFromToken, RUN_SCHEMA, type Entity, type Identifier, type SearchSchema } from './identifiers.js';
import { describeToken, isKeyword, tokenize, type Fail, type Token } from './tokenize.js';

export type NumericComparator = '=' | '!=' | '>' | '>=' | '<' | '<=';
export type StringComparator = '=' | '!=' | 'LIKE' | 'ILIKE';
export type ListComparator = 'IN' | 'NOT IN';

/** A metric, `start_time` or `end_time` compared with a number. */
export interface NumericComparison {
  type: 'numeric';
  entity: Extract<Entity, 'metric' | 'attribute'>;
  key: string;
  comparator: NumericComparator;
  value: number;
}

/** A param, tag or string attribute compared with a string or LIKE pattern. */
export interface StringComparison {
  type: 'string';
  entity: Extract<Entity, 'param' | 'tag' | 'attribute'>;
  key: string;
  comparator: StringComparator;
  value: string;
}

/** `run_id IN (…)` or `run_id NOT IN (…)`. */
export interface ListComparison {
  type: 'list';
  entity: 'attribute';
  /** an attribute the schema lists (run_id for runs and model versions) */
  key: string;
  comparator: ListComparator;
  values: string[];
}

/**
 * A parsed filter: a comparison, an AND/OR of sub-filters (two or more children), or `all`, which
 * an empty filter parses to and which matches every run.
 */
export type FilterNode =
  | { type: 'all' }
  | { type: 'and'; children: FilterNode[] }
  | { type: 'or'; children: FilterNode[] }
  | NumericComparison
  | StringComparison
  | ListComparison;

const NUMERIC_COMPARATORS: readonly string[] = ['=', '!=', '>', '>=', '<', '<='];
const STRING_COMPARATORS: readonly string[] = ['=', '!=', 'LIKE', 'ILIKE'];
const LIST_COMPARATORS: readonly string[] = [...STRING_COMPARATORS, 'IN', 'NOT IN'];

function comparatorsFor(id: Identifier, schema: SearchSchema): readonly string[] {
  if (id.valueType === 'number') return NUMERIC_COMPARATORS;
  return id.entity === 'attribute' && schema.lists.has(id.key) ? LIST_COMPARATORS : STRING_COMPARATORS;
}

function describeIdentifier(id: Identifier): string {
  const noun = { metric: 'metric', param: 'param', tag: 'tag', attribute: 'attribute' }[id.entity];
  return `${noun} '${id.key}'`;
}

class FilterParser {
  private readonly tokens: Token[];
  private index = 0;
  private readonly fail: Fail;

  constructor(
    filter: string,
    private readonly schema: SearchSchema,
  ) {
    this.fail = (position, reason) => {
      throw new FilterSyntaxError(filter, position, reason);
    };
    this.tokens = tokenize(filter, this.fail);
  }

  parse(): FilterNode {
    const node = this.parseOr();
    const next = this.peek();
    if (next.kind !== 'end') {
      if (next.text === ')') this.fail(next.pos, "unmatched ')'");
      this.fail(next.pos, `expected AND, OR or the end of the filter after ${describeToken(this.previous())}, found ${describeToken(next)}`);
    }
    return node;
  }

  private peek(): Token {
    return this.tokens[this.index];
  }

  private previous(): Token {
    return this.tokens[Math.max(0, this.index - 1)];
  }

  private next(): Token {
    const token = this.tokens[this.index];
    if (token.kind !== 'end') this.index++;
    return token;
  }

  private parseOr(): FilterNode {
    const children = [this.parseAnd()];
    while (isKeyword(this.peek(), 'OR')) {
      this.next();
      children.push(this.parseAnd());
    }
    return children.length === 1 ? children[0] : { type: 'or', children };
  }

  private parseAnd(): FilterNode {
    const children = [this.parsePrimary()];
    while (isKeyword(this.peek(), 'AND')) {
      this.next();
      children.push(this.parsePrimary());
    }
    return children.length === 1 ? children[0] : { type: 'and', children };
  }

  private parsePrimary(): FilterNode {
    const token = this.peek();
    if (token.kind !== 'punct' || token.text !== '(') return this.parseComparison();
    this.next();
    const inner = this.parseOr();
    const close = this.peek();
    if (close.kind !== 'punct' || close.text !== ')') {
      this.fail(close.pos, `expected ')' to close the '(' at position ${token.pos}, found ${describeToken(close)}`);
    }
    this.next();
    return inner;
  }

  private parseComparison(): FilterNode {
    const after = this.index > 0 ? this.previous() : undefined;
    const id = identifierFromToken(this.next(), this.fail, after, this.schema);
    const allowed = comparatorsFor(id, this.schema);
    const comparator = this.parseComparator(id, allowed);
    if (!allowed.includes(comparator.text)) {
      const hint =
        id.valueType === 'number'
          ? `${describeIdentifier(id)} is numeric and takes ${allowed.join(', ')}`
          : comparator.text === 'IN' || comparator.text === 'NOT IN'
            ? `IN and NOT IN are only supported for ${[...this.schema.lists].join(', ') || 'no attribute here'}`
            : `${describeIdentifier(id)} is a string and takes ${allowed.join(', ')}` +
              (id.entity === 'param' ? ' (param values are strings; log numbers you compare as metrics)' : '');
      this.fail(comparator.pos, `'${comparator.text}' cannot be used with ${id.text}: ${hint}`);
    }
    if (comparator.text === 'IN' || comparator.text === 'NOT IN') {
      return { type: 'list', entity: 'attribute', key: id.key, comparator: comparator.text, values: this.parseList(id.key) };
    }
    const value = this.next();
    if (id.valueType === 'number') {
      if (value.kind !== 'number') {
        const found = value.kind === 'string' ? `the string ${value.text}` : describeToken(value);
        this.fail(value.pos, `expected a number to compare ${describeIdentifier(id)} with, found ${found}`);
      }
      return {
        type: 'numeric',
        entity: id.entity as NumericComparison['entity'],
        key: id.key,
        comparator: comparator.text as NumericComparator,
        value: value.value,
      };
    }
    if (value.kind !== 'string' || value.quote === '`') {
      const quoteHint = value.kind === 'number' || value.kind === 'word' ? ` (quote it: '${value.text}')` : '';
      this.fail(value.pos, `expected a quoted string to compare ${describeIdentifier(id)} with, found ${describeToken(value)}${quoteHint}`);
    }
    return {
      type: 'string',
      entity: id.entity as StringComparison['entity'],
      key: id.key,
      comparator: comparator.text as StringComparator,
      value: value.value,
    };
  }

  private parseComparator(id: Identifier, allowed: readonly string[]): { text: string; pos: number } {
    const token = this.next();
    const expected = `expected a comparator (${allowed.join(', ')}) after '${id.text}'`;
    if (token.kind === 'op') {
      if (token.text === '<>' || token.text === '==') {
        this.fail(token.pos, `${expected}, found '${token.text}' (write ${token.text === '<>' ? '!=' : '='})`);
      }
      return { text: token.text, pos: token.pos };
    }
    for (const keyword of ['LIKE', 'ILIKE', 'IN']) {
      if (isKeyword(token, keyword)) return { text: keyword, pos: token.pos };
    }
    if (isKeyword(token, 'NOT')) {
      const inToken = this.next();
      if (!isKeyword(inToken, 'IN')) this.fail(inToken.pos, `expected IN after NOT, found ${describeToken(inToken)}`);
      return { text: 'NOT IN', pos: token.pos };
    }
    return this.fail(token.pos, `${expected}, found ${describeToken(token)}`);
  }

  private parseList(key: string): string[] {
    const what = key === 'run_id' ? 'run ids' : `${key} values`;
    const open = this.next();
    if (open.kind !== 'punct' || open.text !== '(') {
      this.fail(open.pos, `expected '(' to start a list of quoted ${what}, found ${describeToken(open)}`);
    }
    const values: string[] = [];
    for (;;) {
      const item = this.next();
      if (item.kind !== 'string' || item.quote === '`') {
        this.fail(item.pos, `expected a quoted ${key === 'run_id' ? 'run id' : `${key} value`} in the list, found ${describeToken(item)}`);
      }
      values.push(item.value);
      const sep = this.next();
      if (sep.kind === 'punct' && sep.text === ')') return values;
      if (sep.kind !== 'punct' || sep.text !== ',') {
        this.fail(sep.pos, `expected ',' or ')' in the list of ${what}, found ${describeToken(sep)}`);
      }
    }
  }
}

/**
 * Parses a `search_runs` filter. An empty or whitespace-only filter gives `{ type: 'all' }`. Throws
 * {@link FilterSyntaxError} (code `INVALID_FILTER`) for bad syntax, unknown prefixes or attributes,
 * and type errors such as a metric compared with a string or `LIKE` on a metric; the message
 * names the position, what was expected there, and shows the filter with a caret.
 */
export function parseFilter(filter: string, schema: SearchSchema = RUN_SCHEMA): FilterNode {
  if (filter.trim() === '') return { type: 'all' };
  return new FilterParser(filter, schema).parse();
}
