export { runProject, type RunProjectOptions, type ProjectRunResult } from './run-project.js';
export { reproduce, type ReproduceOptions, type ReproduceResult } from './reproduce/reproduce.js';
export { compareMetrics, formatMetricComparison, type MetricComparison } from './reproduce/compare-metrics.js';
export { loadProject } from './spec/load-project.js';
export { parseMlproject } from './spec/parse-mlproject.js';
export { findMlprojectFile } from './spec/find-mlproject.js';
export { mlprojectJsonSchema } from './spec/schema.js';
export { PARAMETER_TYPES, type ProjectSpec, type MlprojectWarning, type EntryPointSpec, type ParameterSpec, type ParameterType, type EnvironmentSpec, type DockerEnvVar } from './spec/project.js';
export { findEntryPoint, entryPointSpec, SCRIPT_EXTENSIONS, type EntryPoint, type ScriptRunners } from './launch/entry-point.js';
export { resolveParameters, type ParameterValues, type ResolvedParameters } from './launch/parameters.js';
export { renderCommand } from './launch/render-command.js';
export { shellQuote } from './launch/shell-quote.js';
export { PROJECT_TAGS } from './launch/tags.js';
export { fetchProject, type ProjectSource } from './source/fetch-source.js';
export { parseProjectUri, isGitUrl, type ProjectUri } from './source/parse-uri.js';
export { ENV_MANAGERS, type EnvManager, type PreparedEnvironment } from './env/environment.js';
export { prepareEnvironment, defaultEnvManager, parseEnvManager } from './env/prepare-env.js';
export { dockerRunArgv, checkDockerEngine, PROJECT_MOUNT, type DockerRunOptions } from './env/docker-env.js';
export { scriptRunners, nodeStripsTypes } from './env/local-env.js';
export { kubernetesJob, type KubernetesJobOptions } from './scale-out/kubernetes-job.js';
export type { OutputSink, Output } from './output.js';
export {
  MlprojectError,
  ProjectParameterError,
  EntryPointNotFoundError,
  ProjectSourceError,
  EnvironmentUnavailableError,
  EnvironmentBuildError,
  NotReproducibleError,
} from './errors.js';
