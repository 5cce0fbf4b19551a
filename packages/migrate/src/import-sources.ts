import type { RegistryClient } from '@git-ml/registry';
import type { MlClient } from '@git-ml/tracking';
import { importFromSource, type ImportOptions, type ImportSummary } from './import.js';
import { mlrunsSource } from './mlruns/source.js';
import { serverSource, type ServerSourceOptions } from './server/source.js';

/**
 * Imports an MLflow FileStore tree (`mlruns/`, a `file:` URI, or a folder holding `mlruns/`) into
 * the repository of `client`, ids kept (see docs/migrate.md).
 */
export async function importMlruns(client: MlClient, registry: RegistryClient, path: string, options: ImportOptions = {}): Promise<ImportSummary> {
  return importFromSource(client, registry, mlrunsSource(path), options);
}

/**
 * Imports everything a running MLflow tracking server (or `git-ml server`) holds, through its REST
 * API and artifact endpoints, ids kept; the same writer as {@link importMlruns}.
 */
export async function importServer(client: MlClient, registry: RegistryClient, url: string, options: ImportOptions & ServerSourceOptions = {}): Promise<ImportSummary> {
  return importFromSource(client, registry, await serverSource(url, options), options);
}

/** `git-ml import --from SOURCE`: an `http(s)://` URL is a tracking server, anything else an mlruns/ tree. */
export async function importFrom(client: MlClient, registry: RegistryClient, from: string, options: ImportOptions & ServerSourceOptions = {}): Promise<ImportSummary> {
  return /^https?:\/\//i.test(from) ? importServer(client, registry, from, options) : importMlruns(client, registry, from, options);
}
