// Registry part of `npm run bench`: a repository with N model-version tags (models × versions),
// then alias resolution and version listing through a fresh RegistryClient (the index on disk, as a
// CLI call sees it) and a warm one, against C git listing the same tags.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MlClient } from '@git-ml/tracking';
import { RegistryClient } from '@git-ml/registry';

export async function registryBench(repo, tags, repeat, median) {
  const ml = new MlClient({ repo });
  const run = ml.createRun(ml.createExperiment('registry-bench'));
  const dir = mkdtempSync(join(tmpdir(), 'git-ml-bench-model-'));
  writeFileSync(join(dir, 'MLmodel'), 'flavors: {}\n');
  writeFileSync(join(dir, 'model.bin'), 'weights');
  await ml.logArtifacts(run.info.run_id, dir, 'model');
  rmSync(dir, { recursive: true, force: true });
  const source = `runs:/${run.info.run_id}/model`;
  const models = Math.max(1, Math.round(tags / 100));
  const perModel = Math.ceil(tags / models);
  let reg = new RegistryClient({ tracking: ml });
  const t0 = performance.now();
  for (let m = 0; m < models; m++) {
    for (let v = 0; v < perModel; v++) reg.createModelVersion(`model-${m}`, source);
    reg.setRegisteredModelAliases(`model-${m}`, { champion: perModel, challenger: perModel - 1 });
  }
  const registerMs = performance.now() - t0;
  const target = `model-${Math.floor(models / 2)}`;
  const t = (fn) => {
    const s = performance.now();
    fn();
    return performance.now() - s;
  };
  const rebuild = t(() => {
    rmSync(join(repo, '.git', 'ml', 'index', 'registry'), { recursive: true, force: true });
    new RegistryClient({ tracking: ml }).getModelVersionByAlias(target, 'champion');
  });
  await new Promise((r) => setTimeout(r, 100)); // let the last listing age past the mtime tick margin
  reg = new RegistryClient({ tracking: ml });
  reg.getModelVersionByAlias(target, 'champion');
  const cold = { alias: [], list: [] };
  const warm = { alias: [], list: [] };
  const n = Math.max(repeat, 10);
  for (let i = 0; i < n; i++) {
    cold.alias.push(t(() => new RegistryClient({ tracking: ml }).getModelVersionByAlias(target, 'champion')));
    cold.list.push(t(() => new RegistryClient({ tracking: ml }).searchModelVersions({ filter: `name = '${target}'`, maxResults: 1000 })));
    warm.alias.push(t(() => reg.getModelVersionByAlias(target, 'champion')));
    warm.list.push(t(() => reg.searchModelVersions({ filter: `name = '${target}'`, maxResults: 1000 })));
  }
  // one more registration from elsewhere: the next query re-lists the refs
  new RegistryClient({ tracking: ml }).createModelVersion(`model-${models - 1}`, source);
  const afterChange = t(() => new RegistryClient({ tracking: ml }).getModelVersionByAlias(target, 'champion'));
  const gitTags = [];
  for (let i = 0; i < n; i++) gitTags.push(t(() => execFileSync('git', ['tag', '-l', `${target}@v*`], { cwd: repo })));
  const total = Number(execFileSync('git', ['tag', '-l'], { cwd: repo }).toString().trim().split('\n').length);
  ml.close();
  return {
    tags: total,
    models,
    register_per_s: (models * perModel) / (registerMs / 1000),
    index_rebuild_ms: rebuild,
    alias_cold_ms: median(cold.alias),
    list_versions_cold_ms: median(cold.list),
    alias_warm_ms: median(warm.alias),
    list_versions_warm_ms: median(warm.list),
    alias_after_change_ms: afterChange,
    git_tag_list_ms: median(gitTags),
  };
}
