export { importMlruns, resolveMlrunsRoot, type ImportSummary, type ImportOptions, type ImportProgress, type Counts } from './import-mlruns.js';
export { exportMlruns, type ExportSummary, type ExportOptions } from './export-mlruns.js';
export { BadSourceError, MigrateError } from './errors.js';
