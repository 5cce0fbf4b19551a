/**
 * MLproject parsing with MLflow's semantics, and errors that name the file, the line and the field.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { findEntryPoint, loadProject, mlprojectJsonSchema, parseMlproject, type ProjectSpec } from '@git-ml/projects';
import { removeTempDirs, tempDir } from '@git-ml/test-support';
import { writeFiles } from './fixtures.js';

afterAll(removeTempDirs);

const MLFLOW_EXAMPLE = `name: tutorial

python_env: python_env.yaml

entry_points:
  main:
    parameters:
      alpha: {type: float, default: 1e-1}
      l1_ratio: {type: float, default: .5}
      verbose: {type: bool, default: true}
      label: str
      data: {type: path, default: data.csv}
    command: "python train.py --alpha {alpha}
              --l1-ratio {l1_ratio} --label {label}"
  validate:
    parameters:
      data_file: path
    command: >
      python validate.py
      {data_file}
`;

function parse(text: string, files: Record<string, string> = {}): ProjectSpec {
  const dir = tempDir('gitml-mlproject-');
  writeFiles(dir, { 'python_env.yaml': 'python: "3"\n', ...files });
  return parseMlproject(text, 'MLproject', dir, join(dir, 'MLproject'));
}

function problem(text: string): Error & { code?: string; data?: Record<string, unknown> } {
  try {
    parse(text);
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected the MLproject to be rejected');
}

describe('parsing MLproject files as MLflow does', () => {
  it('reads a real MLflow file: multi-line commands, defaults like 1e-1 and .5 kept as written, short and long parameter forms', () => {
    const p = parse(MLFLOW_EXAMPLE);
    expect(p.name).toBe('tutorial');
    expect(p.environment).toEqual({ kind: 'python', file: 'python_env.yaml' });
    const main = p.entryPoints.main;
    expect(main.command).toBe('python train.py --alpha {alpha} --l1-ratio {l1_ratio} --label {label}');
    expect(main.parameters.alpha).toEqual({ name: 'alpha', type: 'float', default: '1e-1' });
    expect(main.parameters.l1_ratio.default).toBe('.5');
    expect(main.parameters.verbose).toEqual({ name: 'verbose', type: 'bool', default: 'true' });
    expect(main.parameters.label).toEqual({ name: 'label', type: 'str', default: null });
    expect(p.entryPoints.validate.command).toBe('python validate.py {data_file}');
    expect(p.entryPoints.validate.parameters.data_file.default).toBeNull();
    expect(p.warnings).toEqual([]); // YAML's own quotes around a command are not shell quotes
  });

  it('finds the file case-insensitively and falls back to conventions without one', () => {
    const dir = tempDir('gitml-mlproject-');
    writeFiles(dir, { MLProject: 'entry_points:\n  main:\n    command: echo hi\n' });
    expect(Object.keys(loadProject(dir).entryPoints)).toEqual(['main']);
    const bare = tempDir('gitml-mlproject-');
    writeFiles(bare, { 'train.py': 'print(1)\n', 'conda.yaml': 'name: x\n' });
    const p = loadProject(bare);
    expect(p.file).toBeNull();
    expect(p.environment).toEqual({ kind: 'conda', file: 'conda.yaml' });
    expect(findEntryPoint(p, 'train.py')).toMatchObject({ kind: 'file', file: 'train.py', extension: '.py' });
  });

  it('reads docker_env with volumes and environment given as names or [name, value] pairs, and node_env', () => {
    const p = parse('docker_env:\n  image: repo/img:1\n  volumes: ["/data:/data"]\n  environment: [HOME, ["MODE", "fast"]]\nentry_points:\n  main:\n    command: run\n');
    expect(p.environment).toEqual({ kind: 'docker', image: 'repo/img:1', volumes: ['/data:/data'], environment: ['HOME', ['MODE', 'fast']] });
    expect(parse('node_env: package.json\nentry_points: {main: {command: node x.js}}\n', { 'package.json': '{}' }).environment).toEqual({ kind: 'node', file: 'package.json' });
  });

  it('publishes a JSON Schema that ajv compiles and that accepts MLflow files and rejects bad ones', () => {
    const check = new Ajv({ strict: false }).compile(mlprojectJsonSchema);
    expect(check({ name: 'x', python_env: 'p.yaml', entry_points: { main: { parameters: { a: 'float', b: { type: 'int', default: 3 } }, command: 'c {a} {b}' } } })).toBe(true);
    expect(check({ entry_points: { main: { parameters: { a: 'double' }, command: 'c' } } })).toBe(false);
    expect(check({ python_env: 'a', conda_env: 'b' })).toBe(false);
  });
});

describe("placeholders inside the command's own shell quotes", () => {
  const text = `entry_points:
  main:
    parameters: {a: str, b: str, c: str, d: str}
    command: echo "A={a}" {b} '{c}' "\\"" {d} "{{x}}" \\"{b}\\"
  other:
    parameters: {a: str}
    command: |
      echo "$HOME"
      printf '%s' "run {a} now"
`;

  it('warns naming the file, the line, the entry point and the placeholder, and says to remove the quotes', () => {
    const p = parse(text);
    expect(p.warnings.map((w) => [w.entryPoint, w.parameter, w.line])).toEqual([['main', 'a', 4], ['main', 'c', 4], ['other', 'a', 7]]);
    expect(p.warnings[0].message).toBe(
      "MLproject:4: entry point 'main': {a} is inside double quotes in the command; remove the quotes around it. " +
        "git-ml quotes every parameter value itself, and inside double quotes the shell still runs $(…) and backticks in a value (-P 'a=$(…)' would run).",
    );
    expect(p.warnings[1].message).toMatch(/^MLproject:4: entry point 'main': \{c\} is inside single quotes in the command; remove the quotes around it\. git-ml quotes every parameter value itself, and a value's own quotes close yours/);
  });

  it('does not warn about placeholders outside quotes, escaped quotes or literal braces', () => {
    const p = parse('entry_points:\n  main:\n    parameters: {a: str}\n    command: echo \\"{a}\\" "{{a}}" \'{{a}}\' {a}\n');
    expect(p.entryPoints.main.command).toBe(`echo \\"{a}\\" "{{a}}" '{{a}}' {a}`);
    expect(p.warnings).toEqual([]);
  });
});

describe('malformed MLproject files give the file, the line and the field', () => {
  it('an unknown parameter type', () => {
    const e = problem('name: x\nentry_points:\n  main:\n    parameters:\n      alpha: {type: double, default: 1}\n    command: "t {alpha}"\n');
    expect(e.code).toBe('INVALID_MLPROJECT');
    expect(e.message).toMatch(/^MLproject:5: entry_points\.main\.parameters\.alpha\.type: must be one of float, int, string, str, bool, path, uri/);
  });

  it('a misspelled key, on the line of that key', () => {
    const e = problem('entry_points:\n  main:\n    command: t\n    parametrs:\n      a: int\n');
    expect(e.message).toMatch(/^MLproject:4: entry_points\.main\.parametrs: is not a known key/);
  });

  it('a missing command', () => {
    const e = problem('entry_points:\n  main:\n    parameters: {a: int}\n');
    expect(e.message).toMatch(/^MLproject:3: entry_points\.main\.command: is required/);
  });

  it('two environments', () => {
    const e = problem('python_env: python_env.yaml\nentry_points: {}\ndocker_env: {image: x}\n');
    expect(e.message).toMatch(/^MLproject:3: .*declares python_env and docker_env: use at most one of python_env, conda_env, docker_env, node_env/);
  });

  it('a placeholder that is not a declared parameter, on the line of the command', () => {
    const e = problem('entry_points:\n  main:\n    parameters: {a: int}\n    command: "t {a} {b}"\n');
    expect(e.message).toMatch(/^MLproject:4: entry_points\.main\.command: uses \{b\}, which is not a declared parameter/);
  });

  it('invalid YAML: bad indentation, a duplicate key', () => {
    expect(problem('entry_points:\n  main:\n    command: t\n   bad: x\n').message).toMatch(/^MLproject:4: invalid YAML: All mapping items must start at the same column/);
    expect(problem('entry_points:\n  main:\n    command: t\n  main:\n    command: u\n').message).toMatch(/^MLproject:4: invalid YAML: Map keys must be unique/);
  });

  it('an environment file that does not exist', () => {
    const e = problem('entry_points: {}\n\nconda_env: missing.yaml\n');
    expect(e.message).toMatch(/^MLproject:3: conda_env: file missing\.yaml does not exist/);
  });

  it('names the file by its path relative to the current directory when loaded from disk', () => {
    const dir = tempDir('gitml-mlproject-');
    writeFileSync(join(dir, 'MLproject'), 'entry_points:\n  main:\n    command: 5\n');
    expect(() => loadProject(dir)).toThrow(/MLproject:3: entry_points\.main\.command: must be a string, got 5/);
  });
});
