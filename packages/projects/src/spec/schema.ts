import { PARAMETER_TYPES } from './project.js';

const ENVIRONMENT_KEYS = ['python_env', 'conda_env', 'docker_env', 'node_env'] as const;

const parameterType = { enum: [...PARAMETER_TYPES] };

const parameter = {
  if: { type: 'string' },
  then: parameterType,
  else: {
    type: 'object',
    additionalProperties: false,
    properties: {
      type: parameterType,
      default: { type: ['string', 'number', 'boolean', 'null'] },
      description: { type: 'string' },
    },
  },
};

const entryPoint = {
  type: 'object',
  required: ['command'],
  additionalProperties: false,
  properties: {
    command: { type: 'string', minLength: 1 },
    parameters: { type: 'object', additionalProperties: parameter },
  },
};

const relativeFile = { type: 'string', minLength: 1 };

const pairs: string[][] = [];
for (let i = 0; i < ENVIRONMENT_KEYS.length; i++) for (let j = i + 1; j < ENVIRONMENT_KEYS.length; j++) pairs.push([ENVIRONMENT_KEYS[i], ENVIRONMENT_KEYS[j]]);

/**
 * The JSON Schema of an `MLproject` file (MLflow's format plus git-ml's `node_env`), for editors
 * and for validation. Point an editor's YAML language server at it to get completion and checks.
 */
export const mlprojectJsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://git-ml.dev/schemas/mlproject-1.json',
  title: 'MLproject',
  description: 'An MLflow project: entry points with typed parameters and at most one environment.',
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string' },
    entry_points: { type: 'object', additionalProperties: entryPoint },
    python_env: { ...relativeFile, description: 'python_env.yaml: python, build_dependencies, dependencies' },
    conda_env: { ...relativeFile, description: 'a conda environment file' },
    node_env: { ...relativeFile, description: "git-ml: a package.json with a lockfile next to it, installed with 'npm ci'" },
    docker_env: {
      type: 'object',
      required: ['image'],
      additionalProperties: false,
      properties: {
        image: { type: 'string', minLength: 1 },
        volumes: { type: 'array', items: { type: 'string', minLength: 1 } },
        environment: {
          type: 'array',
          items: {
            if: { type: 'string' },
            then: { minLength: 1 },
            else: { type: 'array', minItems: 2, maxItems: 2, items: { type: 'string' } },
          },
        },
      },
    },
  },
  not: { anyOf: pairs.map((p) => ({ required: p })) },
} as const;

export { ENVIRONMENT_KEYS };
