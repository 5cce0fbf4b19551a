import { describe, expect, it } from 'vitest';
import { FilterSyntaxError } from './errors.js';
import { parseFilter, type FilterNode } from './parse-filter.js';

const metric = (key: string, comparator: string, value: number) => ({ type: 'numeric', entity: 'metric', key, comparator, value });
const param = (key: string, comparator: string, value: string) => ({ type: 'string', entity: 'param', key, comparator, value });
const tag = (key: string, comparator: string, value: string) => ({ type: 'string', entity: 'tag', key, comparator, value });

function syntaxError(filter: string): FilterSyntaxError {
  try {
    parseFilter(filter);
  } catch (e) {
    expect(e).toBeInstanceOf(FilterSyntaxError);
    return e as FilterSyntaxError;
  }
  throw new Error(`expected ${JSON.stringify(filter)} to be rejected`);
}

describe('parseFilter', () => {
  it('parses an empty or blank filter as match-all', () => {
    expect(parseFilter('')).toEqual({ type: 'all' });
    expect(parseFilter('  \n\t ')).toEqual({ type: 'all' });
  });

  it.each(['=', '!=', '>', '>=', '<', '<='])('parses metric comparator %s', (op) => {
    expect(parseFilter(`metrics.acc ${op} 0.5`)).toEqual(metric('acc', op, 0.5));
  });

  it.each(['=', '!=', 'LIKE', 'ILIKE'])('parses param and tag comparator %s', (op) => {
    expect(parseFilter(`params.opt ${op} 'adam'`)).toEqual(param('opt', op, 'adam'));
    expect(parseFilter(`tags.team ${op} "ml"`)).toEqual(tag('team', op, 'ml'));
  });

  it('reads keywords case-insensitively and spacing-free comparisons', () => {
    expect(parseFilter("params.a like 'x%' and tags.b IlIkE 'y' Or metrics.c>=1")).toEqual({
      type: 'or',
      children: [{ type: 'and', children: [param('a', 'LIKE', 'x%'), tag('b', 'ILIKE', 'y')] }, metric('c', '>=', 1)],
    });
  });

  it('binds AND tighter than OR', () => {
    const [a, b, c] = [metric('a', '=', 1), metric('b', '=', 2), metric('c', '=', 3)];
    expect(parseFilter('metrics.a = 1 OR metrics.b = 2 AND metrics.c = 3')).toEqual({
      type: 'or',
      children: [a, { type: 'and', children: [b, c] }],
    });
    expect(parseFilter('metrics.a = 1 AND metrics.b = 2 OR metrics.c = 3')).toEqual({
      type: 'or',
      children: [{ type: 'and', children: [a, b] }, c],
    });
  });

  it('lets parentheses override precedence and nest', () => {
    const [a, b, c] = [metric('a', '=', 1), metric('b', '=', 2), metric('c', '=', 3)];
    expect(parseFilter('(metrics.a = 1 OR metrics.b = 2) AND metrics.c = 3')).toEqual({
      type: 'and',
      children: [{ type: 'or', children: [a, b] }, c],
    });
    expect(parseFilter('((metrics.a = 1))')).toEqual(a);
    expect(parseFilter('metrics.a = 1 AND metrics.b = 2 AND metrics.c = 3')).toEqual({ type: 'and', children: [a, b, c] });
  });

  it('reads quoted keys with spaces and other characters', () => {
    expect(parseFilter('metrics.`f1 score` > 0.8')).toEqual(metric('f1 score', '>', 0.8));
    expect(parseFilter('params."my key" = \'v\'')).toEqual(param('my key', '=', 'v'));
    expect(parseFilter("tags.'a b' = 'v'")).toEqual(tag('a b', '=', 'v'));
    expect(parseFilter('metrics.`it``s` = 1')).toEqual(metric('it`s', '=', 1));
  });

  it('reads unquoted keys containing . - / :', () => {
    expect(parseFilter('metrics.val.loss-avg/epoch:3 < 2')).toEqual(metric('val.loss-avg/epoch:3', '<', 2));
    expect(parseFilter("tags.mlflow.source.type = 'LOCAL'")).toEqual(tag('mlflow.source.type', '=', 'LOCAL'));
  });

  it('accepts MLflow entity prefix spellings', () => {
    expect(parseFilter('metric.a = 1')).toEqual(metric('a', '=', 1));
    expect(parseFilter("param.a = 'x'")).toEqual(param('a', '=', 'x'));
    expect(parseFilter("parameters.a = 'x'")).toEqual(param('a', '=', 'x'));
    expect(parseFilter("tag.a = 'x'")).toEqual(tag('a', '=', 'x'));
  });

  it('resolves attributes with every prefix, bare, and through aliases', () => {
    const status = { type: 'string', entity: 'attribute', key: 'status', comparator: '=', value: 'FINISHED' };
    for (const prefix of ['', 'attributes.', 'attribute.', 'attr.', 'run.']) {
      expect(parseFilter(`${prefix}status = 'FINISHED'`)).toEqual(status);
    }
    expect(parseFilter('created > 5')).toEqual({ type: 'numeric', entity: 'attribute', key: 'start_time', comparator: '>', value: 5 });
    expect(parseFilter('attributes.end_time <= 7')).toEqual({ type: 'numeric', entity: 'attribute', key: 'end_time', comparator: '<=', value: 7 });
    expect(parseFilter("`Run name` = 'r'")).toEqual({ type: 'string', entity: 'attribute', key: 'run_name', comparator: '=', value: 'r' });
    expect(parseFilter("attributes.\"run name\" LIKE 'r%'")).toMatchObject({ key: 'run_name', comparator: 'LIKE' });
    expect(parseFilter("lifecycle_stage = 'deleted'")).toMatchObject({ entity: 'attribute', key: 'lifecycle_stage' });
  });

  it('reads negative, fractional and exponent numbers', () => {
    expect(parseFilter('metrics.a > -1.5')).toEqual(metric('a', '>', -1.5));
    expect(parseFilter('metrics.a > 1e-3')).toEqual(metric('a', '>', 0.001));
    expect(parseFilter('metrics.a > -2.5E+2')).toEqual(metric('a', '>', -250));
    expect(parseFilter('metrics.a > .5')).toEqual(metric('a', '>', 0.5));
  });

  it('unescapes doubled quotes and backslash-escaped quotes, keeping other backslashes', () => {
    expect(parseFilter("params.a = 'it''s'")).toEqual(param('a', '=', "it's"));
    expect(parseFilter("params.a = 'it\\'s'")).toEqual(param('a', '=', "it's"));
    expect(parseFilter('params.a = "say ""hi"""')).toEqual(param('a', '=', 'say "hi"'));
    expect(parseFilter("params.a = 'C:\\temp\\\\x'")).toEqual(param('a', '=', 'C:\\temp\\x'));
    expect(parseFilter("params.a = ''")).toEqual(param('a', '=', ''));
  });

  it('parses run_id IN and NOT IN lists', () => {
    expect(parseFilter("run_id IN ('a', \"b\")")).toEqual({ type: 'list', entity: 'attribute', key: 'run_id', comparator: 'IN', values: ['a', 'b'] });
    expect(parseFilter("attributes.run_id not in ('c')")).toEqual({
      type: 'list',
      entity: 'attribute',
      key: 'run_id',
      comparator: 'NOT IN',
      values: ['c'],
    });
  });
});

describe('parseFilter errors', () => {
  it('points at a missing comparator and says what was expected', () => {
    const e = syntaxError('metrics.acc 0.5');
    expect(e.code).toBe('INVALID_FILTER');
    expect(e.data).toMatchObject({ filter: 'metrics.acc 0.5', position: 12 });
    expect(e.message).toBe(
      "Invalid filter at position 12: expected a comparator (=, !=, >, >=, <, <=) after 'metrics.acc', found '0.5'\n" +
        '  metrics.acc 0.5\n' +
        '              ^',
    );
  });

  it('lists string comparators after a param, and IN after run_id', () => {
    expect(syntaxError("params.lr 'x'").message).toContain("expected a comparator (=, !=, LIKE, ILIKE) after 'params.lr'");
    expect(syntaxError('run_id').message).toContain(
      "position 6: expected a comparator (=, !=, LIKE, ILIKE, IN, NOT IN) after 'run_id', found the end of the input",
    );
  });

  it('rejects a metric compared with a string, naming the key', () => {
    const e = syntaxError("metrics.acc = 'high'");
    expect(e.data.position).toBe(14);
    expect(e.message).toContain("expected a number to compare metric 'acc' with, found the string 'high'");
  });

  it('rejects LIKE on a metric and > on a param', () => {
    const like = syntaxError("metrics.acc LIKE '1%'");
    expect(like.data.position).toBe(12);
    expect(like.message).toContain("'LIKE' cannot be used with metrics.acc: metric 'acc' is numeric and takes =, !=, >, >=, <, <=");
    const gt = syntaxError("params.lr > '0.1'");
    expect(gt.message).toContain("'>' cannot be used with params.lr: param 'lr' is a string and takes =, !=, LIKE, ILIKE");
  });

  it('rejects an unquoted param value and suggests quoting it', () => {
    expect(syntaxError('params.lr = 0.1').message).toContain("found '0.1' (quote it: '0.1')");
    expect(syntaxError('status = FINISHED').message).toContain("position 9: expected a quoted string to compare attribute 'status' with, found 'FINISHED' (quote it: 'FINISHED')");
  });

  it('rejects IN on anything but run_id', () => {
    expect(syntaxError("status IN ('FINISHED')").message).toContain('IN and NOT IN are only supported for run_id');
    expect(syntaxError("tags.x NOT IN ('a')").data.position).toBe(7);
  });

  it('rejects numeric attributes compared with strings', () => {
    expect(syntaxError("start_time > 'yesterday'").message).toContain("expected a number to compare attribute 'start_time' with");
  });

  it('rejects NaN and Infinity literals as MLflow does', () => {
    expect(syntaxError('metrics.a = NaN').message).toContain("expected a number to compare metric 'a' with, found 'NaN'");
    expect(syntaxError('metrics.a < Infinity').data.position).toBe(12);
  });

  it('rejects unknown attributes and prefixes', () => {
    expect(syntaxError('acc > 1').message).toContain("position 0: unknown attribute 'acc'");
    expect(syntaxError("attributes.foo = 'x'").data.position).toBe(11);
    expect(syntaxError('metricz.acc > 1').message).toContain("unknown prefix 'metricz.'");
  });

  it('reports unbalanced parentheses', () => {
    const open = syntaxError('(metrics.a > 1 OR metrics.b > 2');
    expect(open.data.position).toBe(31);
    expect(open.message).toContain("expected ')' to close the '(' at position 0, found the end of the input");
    expect(syntaxError('metrics.a > 1)').message).toContain("position 13: unmatched ')'");
  });

  it('reports a dangling AND and a missing AND', () => {
    expect(syntaxError('metrics.a > 1 AND').message).toContain("position 17: expected an identifier");
    expect(syntaxError('metrics.a > 1 AND').message).toContain("after 'AND', found the end of the input");
    expect(syntaxError('metrics.a > 1 metrics.b > 2').message).toContain(
      "position 14: expected AND, OR or the end of the filter after '1', found 'metrics.b'",
    );
  });

  it('reports unterminated strings at the opening quote', () => {
    const e = syntaxError("params.a = 'abc");
    expect(e.data.position).toBe(11);
    expect(e.message).toContain("expected a closing '");
  });

  it('suggests != for <> and = for ==', () => {
    expect(syntaxError('metrics.a <> 1').message).toContain("found '<>' (write !=)");
    expect(syntaxError('metrics.a == 1').message).toContain("found '==' (write =)");
  });

  it('rejects malformed numbers, stray characters and bad lists', () => {
    expect(syntaxError('metrics.a > 1.2.3').data.position).toBe(12);
    expect(syntaxError('metrics.a > 1 ; DROP').message).toContain("position 14: unexpected character ';'");
    expect(syntaxError('run_id IN ()').message).toContain('expected a quoted run id in the list');
    expect(syntaxError("run_id IN ('a' 'b')").message).toContain("expected ',' or ')' in the list of run ids, found ''b''");
    expect(syntaxError("run_id NOT ('a')").message).toContain('expected IN after NOT');
    expect(syntaxError('metrics. > 1').message).toContain("expected a key after 'metrics.'");
  });

  it('rejects a filter starting with a keyword or a value', () => {
    expect(syntaxError('AND metrics.a > 1').message).toContain("position 0: expected an identifier (metrics.<key>, params.<key>, tags.<key> or an attribute such as status), found 'AND'");
    expect(syntaxError("'x' = params.a").message).toContain("found the string 'x'");
  });

  it('keeps the caret aligned when the filter spans lines', () => {
    const e = syntaxError('metrics.a > 1\nAND metrics.b');
    expect(e.message.split('\n').slice(1)).toEqual(['  metrics.a > 1 AND metrics.b', `  ${' '.repeat(27)}^`]);
  });
});

describe('FilterNode', () => {
  it('is plain data that survives JSON', () => {
    const node: FilterNode = parseFilter("(metrics.a > 1 OR tags.b = 'x') AND run_id IN ('r')");
    expect(JSON.parse(JSON.stringify(node))).toEqual(node);
  });
});
