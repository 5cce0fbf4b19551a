/**
 * `@git-ml/tracking/internal`: what git-ml's sibling packages (registry, models, projects, server,
 * cli) need from tracking beyond its public API — the repository and the engine under a client.
 * Not a stable API for anyone else (as isomorphic-git's `internal-apis`).
 */
export { storeOf, gitOf } from './client-internals.js';
export type { TrackingStore } from './store/tracking-store.js';
