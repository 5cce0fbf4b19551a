import type { TemplatePart } from './command-template.js';

/** A `{param}` placeholder that the command's own shell quotes enclose. */
export interface QuotedPlaceholder {
  param: string;
  quote: 'double' | 'single';
}

/**
 * The placeholders of a command template that sit inside the template's own shell quotes
 * (`"A={a}"`, `'{a}'`). git-ml single-quotes every value it puts in, which is safe only outside
 * quotes: inside double quotes the shell still expands `$(…)`, backticks and `$VAR` in the value;
 * inside single quotes the value's quotes close the template's, leaving the value bare.
 */
export function quotedPlaceholders(parts: TemplatePart[]): QuotedPlaceholder[] {
  const found: QuotedPlaceholder[] = [];
  let state: 'none' | 'single' | 'double' = 'none';
  for (const part of parts) {
    if ('param' in part) {
      if (state !== 'none') found.push({ param: part.param, quote: state });
      continue;
    }
    const t = part.text;
    for (let i = 0; i < t.length; i++) {
      const c = t[i];
      if (state === 'single') {
        if (c === "'") state = 'none';
      } else if (c === '\\') i++;
      else if (c === '"') state = state === 'double' ? 'none' : 'double';
      else if (c === "'" && state === 'none') state = 'single';
    }
  }
  return found;
}
