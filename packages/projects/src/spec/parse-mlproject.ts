import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { MlprojectError } from '../errors.js';
import { parseTemplate, type TemplatePart } from './command-template.js';
import type { DockerEnvVar, EntryPointSpec, EnvironmentSpec, MlprojectWarning, ParameterSpec, ParameterType, ProjectSpec } from './project.js';
import { quotedPlaceholders, type QuotedPlaceholder } from './quoted-placeholders.js';
import { ENVIRONMENT_KEYS, mlprojectJsonSchema } from './schema.js';
import { lineOf, locate, scalarText } from './yaml-locate.js';

let validator: ValidateFunction | null = null;
function validate(): ValidateFunction {
  validator ??= new Ajv({ allErrors: true, strict: false, verbose: true }).compile(mlprojectJsonSchema);
  return validator;
}

interface Problem {
  line: number;
  field: string;
  problem: string;
}

function describe(e: ErrorObject, data: Record<string, unknown>): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'enum':
      return `must be one of ${(p.allowedValues as string[]).join(', ')}, got ${JSON.stringify(e.data)}`;
    case 'type':
      return `must be ${p.type === 'object' ? 'a mapping' : p.type === 'array' ? 'a list' : `a ${String(p.type).replace(/,/g, ' or ')}`}, got ${e.data === null ? 'nothing' : JSON.stringify(e.data)}`;
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not a known key';
    case 'minLength':
      return 'must not be empty';
    case 'minItems':
    case 'maxItems':
      return 'must be a variable name or a [name, value] pair';
    case 'not': {
      const envs = ENVIRONMENT_KEYS.filter((k) => k in data);
      return `declares ${envs.join(' and ')}: use at most one of ${ENVIRONMENT_KEYS.join(', ')}`;
    }
    default:
      return e.message ?? e.keyword;
  }
}

function schemaProblems(doc: Document, lines: LineCounter, data: Record<string, unknown>): Problem[] {
  const check = validate();
  if (check(data)) return [];
  const out: Problem[] = [];
  for (const e of check.errors ?? []) {
    if (e.keyword === 'if') continue;
    const path = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const p = e.params as Record<string, string>;
    let at = locate(doc, path);
    let field = path.join('.');
    let preferKey = false;
    if (e.keyword === 'additionalProperties') {
      at = locate(doc, [...path, p.additionalProperty]);
      field = [...path, p.additionalProperty].join('.');
      preferKey = true;
    } else if (e.keyword === 'required') field = [...path, p.missingProperty].join('.');
    else if (e.keyword === 'not') {
      const envs = ENVIRONMENT_KEYS.filter((k) => k in data);
      at = locate(doc, [envs[envs.length - 1]]);
      preferKey = true;
    }
    out.push({ line: lineOf(lines, at, preferKey), field, problem: describe(e, data) });
  }
  return out.sort((a, b) => a.line - b.line);
}

function fail(label: string, problems: Problem[]): never {
  const [first] = problems;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more: ${problems.slice(1).map((p) => `line ${p.line} ${p.field}`).join(', ')})` : '';
  throw new MlprojectError(label, first.line, first.field, first.problem + more, { problems });
}

/**
 * Parses and validates the text of an MLproject file. `label` is how the file is named in errors
 * (`MLproject:7: entry_points.main.parameters.alpha.type: must be one of …`); `dir` is the project
 * directory the spec belongs to.
 */
export function parseMlproject(text: string, label: string, dir: string, file: string | null = null): ProjectSpec {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    fail(label, doc.errors.map((e) => ({ line: lines.linePos(e.pos[0]).line, field: '', problem: `invalid YAML: ${e.message.split('\n')[0]}` })));
  }
  const data = (doc.toJS() ?? {}) as Record<string, unknown>;
  if (typeof data !== 'object' || Array.isArray(data)) fail(label, [{ line: 1, field: '', problem: 'must be a mapping with entry_points (and name, an environment)' }]);
  const problems = schemaProblems(doc, lines, data);
  if (problems.length > 0) fail(label, problems);

  if (file !== null) {
    for (const key of ['python_env', 'conda_env', 'node_env']) {
      const rel = data[key];
      if (typeof rel === 'string' && !existsSync(resolve(dir, rel))) {
        fail(label, [{ line: lineOf(lines, locate(doc, [key])), field: key, problem: `file ${rel} does not exist in the project directory` }]);
      }
    }
  }

  const entryPoints: Record<string, EntryPointSpec> = {};
  const warnings: MlprojectWarning[] = [];
  const eps = (data.entry_points ?? {}) as Record<string, { command: string; parameters?: Record<string, unknown> }>;
  for (const [name, ep] of Object.entries(eps)) {
    const parameters: Record<string, ParameterSpec> = {};
    for (const [pname, p] of Object.entries(ep.parameters ?? {})) {
      const type = ((typeof p === 'string' ? p : (p as { type?: string }).type) ?? 'string') as ParameterType;
      const dflt = typeof p === 'string' ? null : scalarText(locate(doc, ['entry_points', name, 'parameters', pname, 'default']).value, text);
      parameters[pname] = { name: pname, type, default: dflt };
    }
    const command = ep.command.replace(/\n+$/, '');
    const at = locate(doc, ['entry_points', name, 'command']);
    let parts: TemplatePart[] = [];
    try {
      parts = parseTemplate(command);
      for (const part of parts) {
        if ('param' in part && !(part.param in parameters)) {
          throw new Error(`uses {${part.param}}, which is not a declared parameter of entry point '${name}' (declared: ${Object.keys(parameters).join(', ') || 'none'})`);
        }
      }
    } catch (err) {
      fail(label, [{ line: lineOf(lines, at), field: `entry_points.${name}.command`, problem: (err as Error).message }]);
    }
    for (const q of quotedPlaceholders(parts)) warnings.push(quotedWarning(label, lineOf(lines, at), name, q));
    entryPoints[name] = { name, command, parameters };
  }
  return { dir, file, name: (data.name as string | undefined) ?? null, entryPoints, environment: environmentOf(data), warnings };
}

function quotedWarning(file: string, line: number, entryPoint: string, { param, quote }: QuotedPlaceholder): MlprojectWarning {
  const why =
    quote === 'double'
      ? 'inside double quotes the shell still runs $(…) and backticks in a value'
      : "a value's own quotes close yours, so the shell would run $(…) in it";
  return {
    message:
      `${file}:${line}: entry point '${entryPoint}': {${param}} is inside ${quote} quotes in the command; remove the quotes around it. ` +
      `git-ml quotes every parameter value itself, and ${why} (-P '${param}=$(…)' would run).`,
    file,
    line,
    entryPoint,
    parameter: param,
  };
}

function environmentOf(data: Record<string, unknown>): EnvironmentSpec {
  if (typeof data.python_env === 'string') return { kind: 'python', file: data.python_env };
  if (typeof data.conda_env === 'string') return { kind: 'conda', file: data.conda_env };
  if (typeof data.node_env === 'string') return { kind: 'node', file: data.node_env };
  const docker = data.docker_env as { image: string; volumes?: string[]; environment?: DockerEnvVar[] } | undefined;
  if (docker) return { kind: 'docker', image: docker.image, volumes: docker.volumes ?? [], environment: docker.environment ?? [] };
  return { kind: 'none' };
}
