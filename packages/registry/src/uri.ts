import { InvalidParameterError } from '@git-ml/tracking';

export type ModelUri =
  | { kind: 'models'; name: string; version: number | 'latest' }
  | { kind: 'alias'; name: string; alias: string }
  | { kind: 'runs'; runId: string; path: string };

/**
 * Parses MLflow's model URIs: `models:/<name>/<version>`, `models:/<name>/latest`,
 * `models:/<name>@<alias>`, `runs:/<run_id>/<path>`. A name may itself contain `/`: the version is
 * the last segment and the alias follows the last `@`.
 */
export function parseModelUri(uri: string): ModelUri {
  const fail = (why: string) =>
    new InvalidParameterError(
      `Invalid model URI '${uri}': ${why}. Use models:/<name>/<version>, models:/<name>/latest, models:/<name>@<alias> or runs:/<run_id>/<path>.`,
      { field: 'uri', uri },
    );
  const m = /^(models|runs):\/(.*)$/.exec(uri);
  if (!m) throw fail('unknown scheme');
  const rest = m[2].replace(/^\/+/, '');
  if (m[1] === 'runs') {
    const r = /^([0-9a-f]{32})(?:\/(.*))?$/i.exec(rest);
    if (!r) throw fail('expected a 32-character run id after runs:/');
    return { kind: 'runs', runId: r[1].toLowerCase(), path: (r[2] ?? '').replace(/\/+$/, '') };
  }
  const at = rest.lastIndexOf('@');
  const slash = rest.lastIndexOf('/');
  if (at > 0 && at > slash) return { kind: 'alias', name: rest.slice(0, at), alias: rest.slice(at + 1) };
  if (slash <= 0) throw fail('expected a version, latest or @alias after the model name');
  const name = rest.slice(0, slash);
  const v = rest.slice(slash + 1);
  if (v.toLowerCase() === 'latest') return { kind: 'models', name, version: 'latest' };
  if (!/^[1-9]\d{0,8}$/.test(v)) throw fail(`'${v}' is not a version number`);
  return { kind: 'models', name, version: Number(v) };
}
