import type { GitStore } from '@git-ml/gitstore';
import type { MlClient } from './client.js';
import type { TrackingStore } from './store/tracking-store.js';

const stores = new WeakMap<MlClient, TrackingStore>();

export function registerStore(client: MlClient, store: TrackingStore): void {
  stores.set(client, store);
}

/** The engine under a client (journals, folds, experiments). */
export function storeOf(client: MlClient): TrackingStore {
  const s = stores.get(client);
  if (!s) throw new TypeError('not an MlClient of this @git-ml/tracking');
  return s;
}

/** The repository a client writes to. */
export function gitOf(client: MlClient): GitStore {
  return storeOf(client).git;
}
