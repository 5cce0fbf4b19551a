import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { ModelFormatError } from './errors.js';

/** The generic flavor every git-ml model carries: git-ml's counterpart of MLflow's `python_function`. */
export const GENERIC_FLAVOR = 'git_ml';

export const GenericFlavorSchema = z
  .object({
    /** the npm package whose flavor loads this model */
    loader_package: z.string().min(1),
    /** the flavor name inside that package's MLmodel entry */
    flavor: z.string().min(1),
    /** the version of the package that saved it */
    package_version: z.string().optional(),
  })
  .loose();

/** MLflow's `MLmodel` file. Unknown fields are kept (loose), so files from newer MLflow round-trip. */
export const MLmodelSchema = z
  .object({
    artifact_path: z.string().optional(),
    run_id: z.string().optional(),
    utc_time_created: z.string().optional(),
    model_uuid: z.string().optional(),
    flavors: z.record(z.string(), z.record(z.string(), z.unknown()).nullable()),
    signature: z
      .object({
        inputs: z.string().nullable().optional(),
        outputs: z.string().nullable().optional(),
        params: z.string().nullable().optional(),
      })
      .loose()
      .optional(),
    saved_input_example_info: z.record(z.string(), z.unknown()).optional(),
    mlflow_version: z.string().optional(),
    git_ml_version: z.string().optional(),
    metadata: z.record(z.string(), z.unknown()).nullable().optional(),
    model_size_bytes: z.number().optional(),
  })
  .loose();

export type MLmodel = z.infer<typeof MLmodelSchema>;

/** The MLmodel schema as JSON Schema, for editors and for validating files outside TypeScript. */
export function mlmodelJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(MLmodelSchema, { target: 'draft-2020-12' }) as Record<string, unknown>;
}

export function readMLmodel(dir: string): MLmodel {
  const path = join(dir, 'MLmodel');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ModelFormatError(`${path} not found: a model directory holds an MLmodel file. Is '${dir}' the model's directory (e.g. the run's artifacts/model)?`, { path });
  }
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (err) {
    throw new ModelFormatError(`${path} is not valid YAML: ${(err as Error).message.split('\n')[0]}`, { path });
  }
  const parsed = MLmodelSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ModelFormatError(`${path}: field '${issue.path.join('.') || '(root)'}' ${issue.message}`, { path, field: issue.path.join('.') });
  }
  return parsed.data;
}

export function writeMLmodel(dir: string, m: MLmodel): void {
  writeFileSync(join(dir, 'MLmodel'), YAML.stringify(MLmodelSchema.parse(m), { lineWidth: 0 }));
}
