/**
 * Parameters: required ones, types, paths, undeclared ones, and commands in which no value can
 * inject shell code (checked by running the rendered command with a real shell).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderCommand, resolveParameters, shellQuote, type EntryPointSpec } from '@git-ml/projects';
import { caught, removeTempDirs, tempDir } from '@git-ml/test-support';
import { writeFiles } from './fixtures.js';

afterAll(removeTempDirs);

const entry: EntryPointSpec = {
  name: 'main',
  command: 'printf "%s\\n" {alpha} {epochs} {name}',
  parameters: {
    alpha: { name: 'alpha', type: 'float', default: '.5' },
    epochs: { name: 'epochs', type: 'int', default: null },
    name: { name: 'name', type: 'string', default: 'plain' },
  },
};

const NASTY = [`it's "quoted"; touch PWNED`, '$(touch PWNED)', '`touch PWNED`', 'a b\tc', '', '-n', '{alpha}', 'new\nline', '*', '~', '\\'];

describe('shell quoting', () => {
  it('passes every value through a real shell unchanged and runs nothing it contains', () => {
    const dir = tempDir('gitml-quote-');
    for (const value of NASTY) {
      const cmd = renderCommand(entry.command, { declared: { alpha: '1', epochs: '2', name: value }, extra: { 'x y': value } });
      const out = execFileSync('sh', ['-c', `${cmd}; printf END`], { cwd: dir, encoding: 'utf8' });
      expect(out).toBe(`1\n2\n${value}\n--x y\n${value}\nEND`);
    }
    expect(existsSync(join(dir, 'PWNED'))).toBe(false);
  });

  it('leaves safe words alone, as shlex.quote does', () => {
    expect(shellQuote('0.5')).toBe('0.5');
    expect(shellQuote('data/train.csv')).toBe('data/train.csv');
    expect(shellQuote("it's")).toBe(`'it'"'"'s'`);
    expect(shellQuote('')).toBe("''");
  });
});

describe('resolving parameters', () => {
  const cwd = tempDir('gitml-params-');
  const project = tempDir('gitml-params-');

  it('fills in defaults and keeps undeclared parameters to append', () => {
    const r = resolveParameters(entry, { epochs: 3, extra: 'v' }, cwd, project);
    expect(r).toEqual({ declared: { alpha: '.5', epochs: '3', name: 'plain' }, extra: { extra: 'v' } });
    expect(renderCommand(entry.command, r)).toBe('printf "%s\\n" .5 3 plain --extra v');
  });

  it('refuses a missing required parameter, naming it and how to pass it', () => {
    const e = caught(() => resolveParameters(entry, {}, cwd, project));
    expect(e.code).toBe('INVALID_PARAMETER_VALUE');
    expect(e.message).toBe("Entry point 'main' needs parameter 'epochs' (int): pass -P epochs=….");
  });

  it('checks types: float (1e-3, .5, inf), int, bool, uri', () => {
    for (const ok of ['1e-3', '.5', '-2.', '+3', 'inf', 'NaN', '10']) expect(resolveParameters(entry, { epochs: 1, alpha: ok }, cwd, project).declared.alpha).toBe(ok);
    expect(caught(() => resolveParameters(entry, { epochs: 1, alpha: 'fast' }, cwd, project)).message).toBe(
      `Parameter 'alpha' must be a float (e.g. 0.5, .5, 1e-3), got "fast".`,
    );
    expect(caught(() => resolveParameters(entry, { epochs: '2.5' }, cwd, project)).message).toMatch(/^Parameter 'epochs' must be an int/);
    const typed: EntryPointSpec = { name: 't', command: 'x', parameters: { b: { name: 'b', type: 'bool', default: null }, u: { name: 'u', type: 'uri', default: null } } };
    expect(resolveParameters(typed, { b: 'True', u: 's3://bucket/key' }, cwd, project).declared).toEqual({ b: 'True', u: 's3://bucket/key' });
    expect(caught(() => resolveParameters(typed, { b: 'maybe', u: 's3://x' }, cwd, project)).message).toMatch(/^Parameter 'b' must be a bool/);
    expect(caught(() => resolveParameters(typed, { b: 'no', u: 'just/a/path' }, cwd, project)).message).toMatch(/^Parameter 'u' must be a URI/);
  });

  it('makes path values absolute: given ones from the current directory, defaults from the project, and they must exist', () => {
    writeFiles(cwd, { 'mine.csv': '1\n' });
    writeFiles(project, { 'data.csv': '1\n' });
    const withPath: EntryPointSpec = { name: 'p', command: 'x', parameters: { data: { name: 'data', type: 'path', default: 'data.csv' } } };
    expect(resolveParameters(withPath, {}, cwd, project).declared.data).toBe(join(project, 'data.csv'));
    expect(resolveParameters(withPath, { data: 'mine.csv' }, cwd, project).declared.data).toBe(join(cwd, 'mine.csv'));
    expect(resolveParameters(withPath, { data: 's3://b/k' }, cwd, project).declared.data).toBe('s3://b/k');
    expect(caught(() => resolveParameters(withPath, { data: 'nope.csv' }, cwd, project)).message).toContain(`${join(cwd, 'nope.csv')} does not exist`);
  });

  it('refuses parameter names MLflow would refuse', () => {
    expect(caught(() => resolveParameters(entry, { epochs: 1, '../x': 1 }, cwd, project)).message).toMatch(/^Invalid parameter name '\.\.\/x'/);
    expect(caught(() => resolveParameters(entry, { epochs: 1, 'a;b': 1 }, cwd, project)).message).toMatch(/^Invalid parameter name 'a;b'/);
  });
});
