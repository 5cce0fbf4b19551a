/**
 * What a search identifier names: a metric, param, tag or run attribute, resolved from MLflow's
 * spellings (`metric.`/`metrics.`, `param.`/`params.`/`parameter.`/`parameters.`, `tag.`/`tags.`,
 * `attribute.`/`attributes.`/`attr.`/`run.` or a bare attribute name).
 */
import { describeToken, type Fail, type Token } from './tokenize.js';

export type Entity = 'metric' | 'param' | 'tag' | 'attribute';

/** The run attributes that search can filter and sort on. */
export type AttributeKey =
  | 'run_id'
  | 'run_name'
  | 'user_id'
  | 'status'
  | 'artifact_uri'
  | 'lifecycle_stage'
  | 'start_time'
  | 'end_time'
  /** git-ml's: end_time − start_time, missing while the run has not ended */
  | 'duration';

export interface Identifier {
  entity: Entity;
  /** the metric/param/tag key, or the canonical attribute name */
  key: string;
  /** whether values are numbers (metrics, start_time, end_time) or strings */
  valueType: 'number' | 'string';
  /** the identifier as written, for messages */
  text: string;
}

const ENTITY_PREFIXES: Record<string, Entity> = {
  metric: 'metric',
  metrics: 'metric',
  param: 'param',
  params: 'param',
  parameter: 'param',
  parameters: 'param',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
  run: 'attribute',
};

const ATTRIBUTE_TYPES: Record<AttributeKey, 'number' | 'string'> = {
  run_id: 'string',
  run_name: 'string',
  user_id: 'string',
  status: 'string',
  artifact_uri: 'string',
  lifecycle_stage: 'string',
  start_time: 'number',
  end_time: 'number',
  duration: 'number',
};

// MLflow's UI-facing aliases (SearchUtils.translate_key_alias).
const ATTRIBUTE_ALIASES: Record<string, AttributeKey> = { created: 'start_time', 'run name': 'run_name' };

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'LIKE', 'ILIKE', 'ASC', 'DESC']);

export const ATTRIBUTE_NAMES = Object.keys(ATTRIBUTE_TYPES).join(', ');

/** The canonical attribute for `name` (case-insensitive, aliases included), if there is one. */
export function resolveAttribute(name: string): AttributeKey | undefined {
  const lower = name.toLowerCase();
  if (Object.hasOwn(ATTRIBUTE_TYPES, lower)) return lower as AttributeKey;
  return ATTRIBUTE_ALIASES[lower];
}

/**
 * What a filter may name, for one kind of thing searched: runs (metrics, params, tags and the run
 * attributes), experiments, registered models, model versions. One grammar, one parser, one set of
 * messages; only the vocabulary differs.
 */
export interface SearchSchema {
  /** what is searched, for messages: "runs", "experiments", … */
  subject: string;
  /** prefixed entities besides attributes */
  entities: ReadonlySet<Exclude<Entity, 'attribute'>>;
  /** attribute names (lower case) and whether their values are numbers or strings */
  attributes: Readonly<Record<string, 'number' | 'string'>>;
  /** other spellings of attributes (lower case) */
  aliases?: Readonly<Record<string, string>>;
  /** attributes that take IN / NOT IN with a list of quoted strings */
  lists: ReadonlySet<string>;
  /** an attribute to name in "expected an identifier" messages */
  example: string;
}

/** "a, b or c" */
function orList(items: string[]): string {
  return items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** `search_runs`: MLflow's run filter. */
export const RUN_SCHEMA: SearchSchema = {
  subject: 'runs',
  entities: new Set(['metric', 'param', 'tag']),
  attributes: ATTRIBUTE_TYPES,
  aliases: ATTRIBUTE_ALIASES,
  lists: new Set(['run_id']),
  example: 'status',
};

function resolveIn(schema: SearchSchema, name: string): string | undefined {
  const lower = name.toLowerCase();
  if (Object.hasOwn(schema.attributes, lower)) return lower;
  return schema.aliases?.[lower];
}

function attribute(name: string, text: string, pos: number, fail: Fail, schema: SearchSchema): Identifier {
  const key = resolveIn(schema, name);
  if (key === undefined) {
    const names = Object.keys(schema.attributes).join(', ');
    const entities = [...schema.entities];
    return fail(
      pos,
      `unknown attribute '${name}'; attributes ${schema === RUN_SCHEMA ? '' : `of ${schema.subject} `}are ${names}` +
        (entities.length ? ` (for a ${orList(entities)} write ${orList(entities.map((e) => `${e}s.${name}`))})` : ''),
    );
  }
  return { entity: 'attribute', key, valueType: schema.attributes[key], text };
}

/**
 * Reads the identifier at `token`, or fails naming what was expected. `after` names the preceding
 * token for the message, if any.
 */
export function identifierFromToken(token: Token, fail: Fail, after?: Token, schema: SearchSchema = RUN_SCHEMA): Identifier {
  const expected = `expected an identifier (${orList([...[...schema.entities].map((e) => `${e}s.<key>`), `an attribute such as ${schema.example}`])})` + (after ? ` after ${describeToken(after)}` : '');
  switch (token.kind) {
    case 'ident': {
      const entity = ENTITY_PREFIXES[token.prefix.toLowerCase()];
      if (entity === undefined || (entity !== 'attribute' && !schema.entities.has(entity))) {
        const allowed = orList([...[...schema.entities].map((e) => `${e}s.`), 'attributes.']);
        return fail(
          token.pos,
          `${entity === undefined ? 'unknown prefix' : `${schema.subject} have no`} '${token.prefix}.'; expected ${allowed} ` +
            `(keys containing spaces are quoted: ${[...schema.entities][0] ?? 'tag'}s.\`${schema === RUN_SCHEMA ? 'f1 score' : 'my key'}\`)`,
        );
      }
      if (entity === 'attribute') return attribute(token.key, token.text, token.keyPos, fail, schema);
      if (token.key === '') return fail(token.keyPos, `expected a non-empty key after '${token.prefix}.'`);
      return { entity, key: token.key, valueType: entity === 'metric' ? 'number' : 'string', text: token.text };
    }
    case 'word':
      if (KEYWORDS.has(token.text.toUpperCase())) return fail(token.pos, `${expected}, found ${describeToken(token)}`);
      return attribute(token.text, token.text, token.pos, fail, schema);
    case 'string':
      // MLflow reads a quoted bare identifier as an attribute: `Run name`, "created".
      if (token.quote !== "'") return attribute(token.value, token.text, token.pos, fail, schema);
      return fail(token.pos, `${expected}, found the string ${token.text}`);
    default:
      return fail(token.pos, `${expected}, found ${describeToken(token)}`);
  }
}
