import type { ScriptRunners } from '../launch/entry-point.js';

/** `--env-manager`: how a project's environment is made. */
export type EnvManager = 'local' | 'node' | 'virtualenv' | 'conda' | 'docker';
/** Every `--env-manager` value, in the order help texts list them. */
export const ENV_MANAGERS: readonly EnvManager[] = ['local', 'node', 'virtualenv', 'conda', 'docker'];

/** A ready environment: how to change the child's process environment, or (docker) how to wrap the command. */
export interface PreparedEnvironment {
  manager: EnvManager;
  /** directories put in front of PATH */
  path: string[];
  /** variables set for the child (a value of null removes the variable) */
  vars: Record<string, string | null>;
  runners: ScriptRunners;
  /** the cached environment directory (node, virtualenv, conda), or null */
  dir: string | null;
  /** true when a cached environment was reused rather than built */
  reused: boolean;
  /** docker: the image */
  image?: string;
}

/** The child's environment: the launcher's, changed as `env` says, plus `extra`. */
export function childEnvironment(env: PreparedEnvironment, extra: Record<string, string>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(env.vars)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  if (env.path.length > 0) out.PATH = [...env.path, out.PATH ?? ''].filter(Boolean).join(':');
  return { ...out, ...extra };
}
