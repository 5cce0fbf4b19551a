/** Shared helpers of the registry tests: registry clients over real repositories, runs holding a model. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { RegistryClient } from '@git-ml/registry';
import type { MlClient } from '@git-ml/tracking';
import { closeClients, openClient, removeTempDirs, tempDir } from '@git-ml/test-support';

const registries: RegistryClient[] = [];
afterEach(() => {
  for (const r of registries.splice(0)) r.close();
  closeClients();
  removeTempDirs();
});

/** A tracking client and a registry client sharing it, closed after the test. */
export function open(repo: string): { reg: RegistryClient; ml: MlClient } {
  const ml = openClient(repo);
  const reg = new RegistryClient({ tracking: ml });
  registries.push(reg);
  return { reg, ml };
}

/** A finished run (experiment `models`) with a model directory at artifacts/model: MLmodel and model.bin = `content`. */
export async function runWithModel(ml: MlClient, content = 'weights-1'): Promise<string> {
  const exp = ml.getExperimentByName('models')?.experiment_id ?? ml.createExperiment('models');
  const run = ml.createRun(exp);
  const dir = tempDir('model-');
  writeFileSync(join(dir, 'MLmodel'), 'flavors: {}\n');
  writeFileSync(join(dir, 'model.bin'), content);
  await ml.logArtifacts(run.info.run_id, dir, 'model');
  ml.setTerminated(run.info.run_id);
  return run.info.run_id;
}
