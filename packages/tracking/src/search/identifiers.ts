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

function attribute(name: string, text: string, pos: number, fail: Fail): Identifier {
  const key = resolveAttribute(name);
  if (key === undefined) {
    return fail(
      pos,
      `unknown attribute '${name}'; attributes are ${ATTRIBUTE_NAMES}` +
        ` (for a metric, param or tag write metrics.${name}, params.${name} or tags.${name})`,
    );
  }
  return { entity: 'attribute', key, valueType: ATTRIBUTE_TYPES[key], text };
}

/**
 * Reads the identifier at `token`, or fails naming what was expected. `after` names the preceding
 * token for the message, if any.
 */
export function identifierFromToken(token: Token, fail: Fail, after?: Token): Identifier {
  const expected =
    'expected an identifier (metrics.<key>, params.<key>, tags.<key> or an attribute such as status)' +
    (after ? ` after ${describeToken(after)}` : '');
  switch (token.kind) {
    case 'ident': {
      const entity = ENTITY_PREFIXES[token.prefix.toLowerCase()];
      if (entity === undefined) {
        return fail(
          token.pos,
          `unknown prefix '${token.prefix}.'; expected metrics., params., tags. or attributes. ` +
            '(keys containing spaces are quoted: metrics.`f1 score`)',
        );
      }
      if (entity === 'attribute') return attribute(token.key, token.text, token.keyPos, fail);
      if (token.key === '') return fail(token.keyPos, `expected a non-empty key after '${token.prefix}.'`);
      return { entity, key: token.key, valueType: entity === 'metric' ? 'number' : 'string', text: token.text };
    }
    case 'word':
      if (KEYWORDS.has(token.text.toUpperCase())) return fail(token.pos, `${expected}, found ${describeToken(token)}`);
      return attribute(token.text, token.text, token.pos, fail);
    case 'string':
      // MLflow reads a quoted bare identifier as an attribute: `Run name`, "created".
      if (token.quote !== "'") return attribute(token.value, token.text, token.pos, fail);
      return fail(token.pos, `${expected}, found the string ${token.text}`);
    default:
      return fail(token.pos, `${expected}, found ${describeToken(token)}`);
  }
}

