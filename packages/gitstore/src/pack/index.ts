export { PackStore, type PackStoreOptions } from './reader.js';
export { mergePacks, writePack } from './writer.js';
export { hashObject, type GitObject, type ObjectType } from './hash.js';
