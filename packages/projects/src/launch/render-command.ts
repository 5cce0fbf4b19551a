import { parseTemplate } from '../spec/command-template.js';
import type { ResolvedParameters } from './parameters.js';
import { shellQuote } from './shell-quote.js';

/**
 * The shell command of an entry point: each `{param}` replaced by its shell-quoted value, then
 * every undeclared parameter appended as `--key value` (both quoted), as MLflow does.
 *
 * ```ts
 * renderCommand('python train.py --alpha {alpha}', { declared: { alpha: '0.5' }, extra: { note: 'a b' } });
 * // python train.py --alpha 0.5 --note 'a b'
 * ```
 */
export function renderCommand(template: string, params: ResolvedParameters): string {
  let out = '';
  for (const part of parseTemplate(template)) out += 'text' in part ? part.text : shellQuote(params.declared[part.param]);
  for (const [k, v] of Object.entries(params.extra)) out += ` ${shellQuote(`--${k}`)} ${shellQuote(v)}`;
  return out;
}
