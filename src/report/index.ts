/**
 * The review report: one self-contained report.html per run directory showing the table coloured by
 * confidence, the functions behind each attribute, each cell's document with the value highlighted, and
 * the run's cost and timing (and F1 when the run was scored against gold).
 */
export { buildReport, writeReport, writeRunReport, type ReportOptions } from './build.ts';
export { serveReport, DEFAULT_PORT, type ReportServer, type ServeOptions } from './serve.ts';
export { ReportError, type LoadedReport } from './load.ts';
export { embedJson, renderReportHtml } from './html.ts';
export { viewWindows, DEFAULT_MAX_EMBEDDED_BYTES, type ViewOptions } from './views.ts';
export type { ReportData, ReportRow, ReportCell, AttributeReport, FunctionInfo, RunFacts, ViewExcerpt, ViewsInfo, EvaluationInfo } from './types.ts';
