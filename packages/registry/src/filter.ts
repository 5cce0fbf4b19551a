import { compileFilterFor, parseFilter, type FilterNode, type SearchSchema } from '@git-ml/tracking';

/** Reads a field of a registered model or version: `name`, `run_id`, …, or `tags.<key>`. */
export type FieldReader = (field: string) => string | undefined;

export interface RegistryFilter {
  /** whether the item whose fields `get` reads matches */
  test: (get: FieldReader) => boolean;
  /** the name every match must have (`name = '…'` at the top level), so a search can look up one model */
  nameEquals?: string;
}

/**
 * MLflow's registry filter (search_registered_models / search_model_versions) in run search's
 * grammar: `allowed` string attributes and `tags.<key>`, compared with =, !=, LIKE, ILIKE (IN and
 * NOT IN for run_id), joined by AND, OR and parentheses. Errors give the position with a caret.
 */
export function registryFilter(filter: string | undefined, subject: string, allowed: string[]): RegistryFilter {
  const schema: SearchSchema = {
    subject,
    entities: new Set(['tag']),
    attributes: Object.fromEntries(allowed.map((a) => [a, 'string' as const])),
    lists: new Set(allowed.filter((a) => a === 'run_id')),
    example: 'name',
  };
  const node = parseFilter(filter ?? '', schema);
  const test = compileFilterFor<FieldReader>(node, schema, (entity, key) => (entity === 'tag' ? (get) => get(`tags.${key}`) : (get) => get(key)));
  return { test, nameEquals: nameEquality(node) };
}

function nameEquality(node: FilterNode): string | undefined {
  if (node.type === 'string' && node.entity === 'attribute' && node.key === 'name' && node.comparator === '=') return node.value;
  if (node.type === 'and') for (const c of node.children) {
    const v = nameEquality(c);
    if (v !== undefined) return v;
  }
  return undefined;
}
