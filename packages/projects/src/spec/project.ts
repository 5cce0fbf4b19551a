/** The parameter types an MLproject may declare (`str` is MLflow's alias of `string`). */
export const PARAMETER_TYPES = ['float', 'int', 'string', 'str', 'bool', 'path', 'uri'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

/** One declared parameter. `default` is the text as written in the file; null means required. */
export interface ParameterSpec {
  name: string;
  type: ParameterType;
  default: string | null;
}

/** An entry point: a command template with `{param}` placeholders and its declared parameters. */
export interface EntryPointSpec {
  name: string;
  command: string;
  parameters: Record<string, ParameterSpec>;
}

/** A `docker_env` environment entry: a variable copied from the launcher, or set to a value. */
export type DockerEnvVar = string | [string, string];

/** The environment a project declares; file paths are relative to the project directory. */
export type EnvironmentSpec =
  | { kind: 'python'; file: string }
  | { kind: 'conda'; file: string }
  | { kind: 'node'; file: string }
  | { kind: 'docker'; image: string; volumes: string[]; environment: DockerEnvVar[] }
  | { kind: 'none' };

/** A project directory as read from its MLproject file (or from conventions when it has none). */
export interface ProjectSpec {
  /** absolute path of the project directory */
  dir: string;
  /** absolute path of the MLproject file, or null */
  file: string | null;
  name: string | null;
  entryPoints: Record<string, EntryPointSpec>;
  environment: EnvironmentSpec;
  /** what is allowed but unsafe or surprising in the file (`file:line: …` messages); runProject prints them */
  warnings: MlprojectWarning[];
}

/** A warning about an MLproject file; `message` starts with `file:line:` like MlprojectError's. */
export interface MlprojectWarning {
  message: string;
  file: string;
  line: number;
  entryPoint: string;
  parameter: string;
}
