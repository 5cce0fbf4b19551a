export { GitStore } from './repo/git-store.js';
export { findRepository, type RepositoryLocation } from './repo/find-repository.js';
export type { Head } from './repo/head.js';
export type { SourceSnapshot, OmittedFile } from './repo/snapshot.js';
export { SNAPSHOT_DEFAULTS, InvalidSnapshotSettingError, parseSizeSetting, resolveSnapshotSettings, type SnapshotMode, type SnapshotSettings } from './repo/snapshot-settings.js';
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
  CorruptPackError,
} from './errors.js';
export { isAlive, thisProcess, processStartTime, type ProcessIdentity } from './repo/process-identity.js';
export { runGit, runGitSync, gitAvailable, gitOrThrow, gitReason, gitEnv, type GitResult, type GitRunOptions } from './repo/git-process.js';
export { fetchRefs, pushRefs, lsRemote, isAncestor, mergeBase } from './transport/transport.js';
export { readGitConfig, type GitConfig } from './repo/config.js';
export type { ChangeStamp } from './refs/ref-queries.js';
export { PackedRefsDamagedError } from './refs/packed-refs.js';
export { LfsStore } from './lfs/lfs-store.js';
export { absentLfsWarning, type LfsPushWalk } from './lfs/objects-to-push.js';
export { encodePointer, parsePointer, MAX_POINTER_SIZE, type LfsPointer } from './lfs/pointer.js';
