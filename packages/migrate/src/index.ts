export { importFrom, importMlruns, importServer } from './import-sources.js';
export { importFromSource, type ImportSummary, type ImportOptions, type ImportProgress, type Counts } from './import.js';
export { resolveMlrunsRoot, mlrunsSource } from './mlruns/source.js';
export { serverSource, type ServerSourceOptions } from './server/source.js';
export type { ImportSource, Item, ReadRun, RunHere, SourceExperiment, SourceModel, SourceRun, SourceVersion } from './source.js';
export { exportMlruns, type ExportSummary, type ExportOptions } from './export-mlruns.js';
export { BadSourceError, MigrateError, SourceRequestError, SourceUnreachableError } from './errors.js';
