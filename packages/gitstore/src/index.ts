export { GitStore } from './repo/git-store.js';
export { findRepository, type RepositoryLocation } from './repo/find-repository.js';
export type { Head } from './repo/head.js';
export type { SourceSnapshot } from './repo/snapshot.js';
export { ObjectStore, type RawObject } from './objects/object-store.js';
export { hashObject, type ObjectType } from './objects/hash.js';
export { encodeTree, decodeTree, type TreeEntry, type TreeMode } from './objects/tree.js';
export { encodeCommit, decodeCommit, encodeTag, decodeTag, type Commit, type Tag, type Signature } from './objects/commit.js';
export { streamBlobFromFile, streamBlobFromStream, streamBlobToFile } from './objects/stream.js';
export { RefStore, RefTransaction, type RefUpdate } from './refs/ref-store.js';
export { assertRefName } from './refs/ref-name.js';
export {
  GitMlError,
  NotARepositoryError,
  RefConflictError,
  RefLockedError,
  ObjectNotFoundError,
  CorruptObjectError,
} from './errors.js';
export { isAlive, thisProcess, processStartTime, type ProcessIdentity } from './repo/process-identity.js';
