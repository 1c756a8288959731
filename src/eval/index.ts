/** Evaluation: metrics, gold loaders, predicted-table readers, scoring and reports. */
export { normalizeValue, htmlToText, type MetricValue } from '../text/normalize.ts';
export { strictTextF1, textF1 } from '../text/f1.ts';
export { pairF1, schemaF1AtK, prf, type Prf, type Triple } from './metrics.ts';
export { sameAttributeName, matchAttributeNames } from './names.ts';
export {
  readEvaporateTable,
  readSwdeGold,
  parseSwdeGroundTruth,
  normalizeDocId,
  type GoldTable,
  type SwdeGroundTruth,
} from './gold.ts';
export {
  loadBenchmark,
  listDocuments,
  alignGoldToDocuments,
  type BenchmarkSetting,
  type BenchmarkLayout,
  type LoadBenchmarkOptions,
} from './benchmark.ts';
export { extractTarGz, type TarExtraction } from './tar.ts';
export { readPredictedTable, type PredictedTable } from './table.ts';
export { parseCsv } from './csv.ts';
export {
  evaluateTable,
  evaluateOpenTable,
  worstDocuments,
  type OpenEvaluation,
  type EvaluationReport,
  type EvaluateOptions,
  type AttributeScore,
  type DocumentScore,
  type CellScore,
} from './evaluate.ts';
export { evaluateFiles, type EvaluateFilesOptions, type EvaluationResult } from './eval-files.ts';
export { calibration, type Calibration, type CalibrationBin } from './calibration.ts';
export { renderReportMarkdown, renderEvaluationMarkdown } from './report.ts';
export { readManifests, benchmarkManifestSchema, MANIFEST_DIR, type BenchmarkManifest } from './manifest.ts';
