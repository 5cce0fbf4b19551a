export { initRemotes, FETCH_REFSPECS, type InitResult } from './init.js';
export { buildReport, defaultBase, parseMetricSpec, type Report, type ReportOptions, type ReportRun, type Comparison, type MetricSpec, type Direction } from './report.js';
export { renderMarkdown, chartSection, formatValue, REPORT_MARKER } from './markdown.js';
