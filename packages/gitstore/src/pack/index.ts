export { PackStore, type PackStoreOptions } from './reader.js';
export { writePack } from './writer.js';
export { hashObject, type GitObject, type ObjectType } from './hash.js';
