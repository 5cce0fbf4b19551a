/** A piece of a command template: literal text, or a `{param}` placeholder. */
export type TemplatePart = { text: string } | { param: string };

/**
 * Splits a command template the way Python's `str.format` (which MLflow uses) reads it: `{name}`
 * is a placeholder, `{{` and `}}` are literal braces. Conversions and format specs (`{x!r}`,
 * `{x:.2f}`) are not supported. Throws an Error whose message says what is wrong.
 */
export function parseTemplate(command: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = '';
  let i = 0;
  while (i < command.length) {
    const c = command[i];
    if (c === '{' && command[i + 1] === '{') {
      text += '{';
      i += 2;
    } else if (c === '}' && command[i + 1] === '}') {
      text += '}';
      i += 2;
    } else if (c === '{') {
      const end = command.indexOf('}', i + 1);
      if (end < 0) throw new Error(`unclosed '{' at character ${i + 1}; write '{{' for a literal brace`);
      const name = command.slice(i + 1, end);
      if (name === '' || /[{.[\]!:]/.test(name)) {
        throw new Error(`placeholder '{${name}}' is not supported: use '{parameter_name}', or '{{' and '}}' for literal braces (shell '\${VAR}' is written '\${{VAR}}')`);
      }
      if (text) parts.push({ text });
      text = '';
      parts.push({ param: name });
      i = end + 1;
    } else if (c === '}') {
      throw new Error(`single '}' at character ${i + 1}; write '}}' for a literal brace`);
    } else {
      text += c;
      i++;
    }
  }
  if (text) parts.push({ text });
  return parts;
}
