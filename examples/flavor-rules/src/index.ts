import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BadInputError, defineFlavor, frameToMatrix, type ModelInput } from '@git-ml/models';

/** The model: score = bias + Σ weight·feature; class 1 when score ≥ threshold. */
export interface RuleModel {
  kind: 'rules';
  features: string[];
  weights: number[];
  bias: number;
  threshold: number;
}

export function ruleModel(weights: Record<string, number>, bias = 0, threshold = 0): RuleModel {
  return { kind: 'rules', features: Object.keys(weights), weights: Object.values(weights), bias, threshold };
}

function scores(m: RuleModel, input: ModelInput): number[] {
  if (input.kind !== 'frame') throw new BadInputError('the rules flavor takes columns, not tensors.');
  const index = m.features.map((f) => input.frame.columns.indexOf(f));
  const missing = m.features.filter((_, i) => index[i] < 0);
  if (missing.length) throw new BadInputError(`missing column(s) ${missing.join(', ')}.`);
  return frameToMatrix(input.frame).map((row) => index.reduce((s, j, i) => s + m.weights[i] * row[j], m.bias));
}

export const predictRules = (m: RuleModel, input: ModelInput): number[] => scores(m, input).map((s) => (s >= m.threshold ? 1 : 0));

/**
 * The flavor. git-ml finds it by this package's name (written into each saved model's `git_ml`
 * flavor as `loader_package`), imports it, and calls `load` — nothing in the model directory runs.
 */
export const flavor = defineFlavor<RuleModel>({
  name: 'rules',
  package: 'git-ml-flavor-rules',
  version: '0.1.0',
  accepts: (m): m is RuleModel => !!m && typeof m === 'object' && (m as RuleModel).kind === 'rules',
  async save(model, { dir }) {
    await writeFile(join(dir, 'rules.json'), JSON.stringify({ format: 1, ...model }, null, 2));
    return { data: 'rules.json', format: 1 };
  },
  async load({ dir, config }) {
    const m = JSON.parse(await readFile(join(dir, String(config.data ?? 'rules.json')), 'utf8')) as RuleModel;
    return {
      predict: (input) => predictRules(m, input),
      predictProba: (input) => scores(m, input).map((s) => [1 - 1 / (1 + Math.exp(-(s - m.threshold))), 1 / (1 + Math.exp(-(s - m.threshold)))]),
      classes: [0, 1],
    };
  },
});
