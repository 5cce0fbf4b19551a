import type { FileInfo, MlClient } from '@git-ml/tracking';

/** Every artifact entry under `path`, depth first, directories before their contents; stops after `limit`. */
export function walkArtifacts(client: MlClient, runId: string, path = '', limit = Infinity): { files: FileInfo[]; truncated: boolean } {
  const files: FileInfo[] = [];
  const visit = (dir: string): boolean => {
    for (const f of client.listArtifacts(runId, dir)) {
      if (files.length >= limit) return false;
      files.push(f);
      if (f.is_dir && !visit(f.path)) return false;
    }
    return true;
  };
  const complete = visit(path);
  return { files, truncated: !complete };
}
