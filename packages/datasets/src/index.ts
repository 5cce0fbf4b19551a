export { RandomState } from './random-state.js';
export { makeClassification, type MakeClassificationOptions, type ClassificationData } from './make-classification.js';
export { trainTestSplit, selectRows, type TrainTestSplitOptions, type TrainTestIndices } from './train-test-split.js';
export { readCsv, parseCsv, writeCsv, formatCsv, splitTarget, joinTarget, type CsvTable, type FeaturesAndTarget } from './csv.js';
export { DatasetError, DatasetArgumentError, CsvFormatError, ColumnNotFoundError } from './errors.js';
