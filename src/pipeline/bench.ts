import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { calibration, evaluateOpenTable, evaluateTable, loadBenchmark, readPredictedTable, worstDocuments, type BenchmarkSetting, type EvaluationReport } from '../eval/index.ts';
import type { AttributeSpec } from '../core/attributes.ts';
import type { Method, SynthMode } from '../core/settings.ts';
import type { ModelSettings, StageUsage } from '../model/index.ts';
import { resultRowSchema, writeArtifact, type ResultRow } from '../run/index.ts';
import type { PipelineEvent } from './events.ts';
import { runExtraction, type ExtractResult } from './extract.ts';
import type { ExtractOptions } from './options.ts';

export interface BenchOptions {
  /** A benchmark folder (Evaporate layout, SWDE, ...) with gold. */
  dataset: string;
  /** Default: direct, code, code+ with a model; code, code+ without. */
  methods?: Method[];
  model?: ModelSettings | null;
  synth?: SynthMode;
  /** Limit to these attributes, optionally with descriptions and forms (default: all gold attributes, names only). */
  attributes?: AttributeSpec[];
  /** Open IE: the methods discover the attributes themselves; scored by pair F1 and schema F1 (METHOD.md). */
  openIE?: boolean;
  sampleSize?: number;
  seed?: number;
  functionsPerAttribute?: number;
  topK?: number;
  timeoutMs?: number;
  isolates?: number;
  /** Reports go here (default: beside each setting's runs, in its folder under workDir); eval/results records them in the repository. */
  resultsDir?: string;
  /** Run directories go here (default .evaporate/bench). */
  workDir?: string;
  /** Called with each finished run's directory once its evaluation is beside it (the CLI writes the review page here). */
  onRunDone?: (runDir: string) => Promise<void>;
  onEvent?: (event: PipelineEvent) => void;
}

export interface MethodResult {
  method: Method;
  /** Why the method did not run, when it did not. */
  skipped?: string;
  synth?: ExtractResult['synth'];
  /** Paper metric (SWDE prefix rule) per attribute. */
  f1?: Record<string, number>;
  averageF1?: number;
  /** Strict text F1 (no prefix rule) per attribute. */
  strictF1?: Record<string, number>;
  averageStrictF1?: number;
  /** How well cell confidence predicts a right value (strict F1 1), over cells with a value. */
  calibration?: { ece: number; cells: number };
  /** Open IE only: every predicted triple against the gold's, and discovered names against the gold's. */
  open?: { pairF1: number; precision: number; recall: number; schemaF1: number; k: number; attributes: string[] };
  model?: Pick<StageUsage, 'calls' | 'liveCalls' | 'cachedCalls' | 'failedCalls' | 'promptTokens' | 'completionTokens' | 'cachedPromptTokens' | 'cachedCompletionTokens' | 'costUsd'> | null;
  functionsGenerated?: number;
  functionsKept?: number;
  keptByOrigin?: Record<string, number>;
  applyDocsPerSecond?: number;
  wallSeconds?: number;
  worstDocuments?: { doc: string; meanF1: number }[];
  runDir?: string;
}

export interface BenchReport {
  dataset: string;
  setting: string;
  documents: number;
  attributes: string[];
  model: string | null;
  date: string;
  openIE: boolean;
  methods: MethodResult[];
}

/** Run each method on the same sample of each setting with gold, score it, and write Markdown and JSON reports. */
export async function bench(options: BenchOptions): Promise<{ reports: BenchReport[]; files: string[] }> {
  const settings = (await loadBenchmark(options.dataset)).filter((setting) => setting.gold !== null);
  if (settings.length === 0) throw new Error(`${options.dataset}: no benchmark with gold found (expected docs/ + table.json, or an SWDE site with groundtruth/)`);
  const methods = options.methods ?? (options.model ? ['direct', 'code', 'code+'] : ['code', 'code+']);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const reports: BenchReport[] = [];
  const files: string[] = [];
  for (const setting of settings) {
    const attributes = options.attributes ?? setting.attributes.map((name) => ({ name }));
    const workDir = resolve(options.workDir ?? join('.evaporate', 'bench'), `${setting.name}-${stamp}`);
    const results: MethodResult[] = [];
    for (const method of methods) {
      // One method failing (a model outage, say) must not lose the others' results.
      results.push(await runMethod(setting, attributes, method, workDir, options).catch((error: Error): MethodResult => ({ method, skipped: `failed: ${error.message}` })));
    }
    const report: BenchReport = {
      dataset: resolve(options.dataset),
      setting: setting.name,
      documents: setting.gold?.rows.size ?? 0,
      attributes: attributes.map((attribute) => attribute.name),
      model: options.model?.model ?? null,
      date: new Date().toISOString(),
      openIE: options.openIE ?? false,
      methods: results,
    };
    reports.push(report);
    const resultsDir = resolve(options.resultsDir ?? workDir);
    await mkdir(resultsDir, { recursive: true });
    const base = join(resultsDir, `bench-${setting.name}${options.openIE ? '-open' : ''}`);
    await writeFile(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(`${base}.md`, renderBenchMarkdown(report));
    files.push(`${base}.md`, `${base}.json`);
  }
  return { reports, files };
}

/** The settings every benchmark run takes from the bench's options, with the bench's own call cache. */
export function benchRunSettings(options: Omit<BenchOptions, 'dataset'>, workDir: string): Omit<ExtractOptions, 'documents'> {
  return {
    cacheDir: join(workDir, 'cache'),
    ...(options.synth ? { synth: options.synth } : {}),
    ...(options.sampleSize ? { sampleSize: options.sampleSize } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.functionsPerAttribute ? { functionsPerAttribute: options.functionsPerAttribute } : {}),
    ...(options.topK ? { topK: options.topK } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.isolates ? { isolates: options.isolates } : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  };
}

async function runMethod(setting: BenchmarkSetting, attributes: AttributeSpec[], method: Method, workDir: string, options: BenchOptions): Promise<MethodResult> {
  if (method === 'direct' && !options.model) return { method, skipped: 'needs a model (none configured)' };
  const started = performance.now();
  const result = await runExtraction({
    documents: setting.docsRoot,
    ...(options.openIE ? {} : { attributes }),
    model: options.model ?? null,
    method,
    runDir: join(workDir, method),
    // One cache for all methods: they share the sample, so code and code+ pay once for the same calls.
    ...benchRunSettings(options, workDir),
  });
  const wallSeconds = (performance.now() - started) / 1000;
  const predicted = await readPredictedTable(result.tablePath);
  const evaluation: EvaluationReport = evaluateTable(predicted, setting.gold!, {
    attributes: attributes.map((attribute) => attribute.name),
  });
  const open = options.openIE ? evaluateOpenTable(predicted, setting.gold!, result.attributes.map((attribute) => attribute.name)) : undefined;
  // Beside the run's other artifacts, so its review report can show F1 and the worst documents.
  await writeArtifact(result.runDir, 'evaluation', evaluation);
  const calibrated = calibration(await rightCells(result.cellsPath, evaluation));
  await options.onRunDone?.(result.runDir);
  const total = result.usage?.total;
  const keptByOrigin: Record<string, number> = {};
  for (const attribute of result.perAttribute) {
    for (const [origin, count] of Object.entries(attribute.keptByOrigin)) keptByOrigin[origin] = (keptByOrigin[origin] ?? 0) + count;
  }
  return {
    method,
    synth: result.synth,
    f1: Object.fromEntries(evaluation.attributes.map((attribute) => [attribute.name, round(attribute.f1)])),
    averageF1: round(evaluation.averageF1),
    strictF1: Object.fromEntries(evaluation.attributes.map((attribute) => [attribute.name, round(attribute.strictF1)])),
    averageStrictF1: round(evaluation.averageStrictF1),
    calibration: { ece: round(calibrated.ece), cells: calibrated.cells },
    ...(open
      ? {
          open: {
            pairF1: round(open.pairs.f1),
            precision: round(open.pairs.precision),
            recall: round(open.pairs.recall),
            schemaF1: round(open.schema.f1),
            k: open.k,
            attributes: result.attributes.map((attribute) => attribute.name),
          },
        }
      : {}),
    model: total
      ? {
          calls: total.calls,
          liveCalls: total.liveCalls,
          cachedCalls: total.cachedCalls,
          failedCalls: total.failedCalls,
          promptTokens: total.promptTokens,
          completionTokens: total.completionTokens,
          cachedPromptTokens: total.cachedPromptTokens,
          cachedCompletionTokens: total.cachedCompletionTokens,
          costUsd: total.costUsd,
        }
      : null,
    functionsGenerated: result.perAttribute.reduce((sum, attribute) => sum + attribute.candidates, 0),
    functionsKept: result.perAttribute.reduce((sum, attribute) => sum + attribute.functionsKept, 0),
    keptByOrigin,
    applyDocsPerSecond: Math.round(result.applyDocsPerSecond),
    wallSeconds: round(wallSeconds),
    worstDocuments: worstDocuments(evaluation, 5).map((doc) => ({ doc: doc.doc, meanF1: round(doc.meanF1) })),
    runDir: result.runDir,
  };
}

/** Each predicted value's confidence (cells.jsonl) beside whether it was right (strict F1 1 against gold). */
async function rightCells(cellsPath: string, evaluation: EvaluationReport): Promise<{ confidence: number; right: boolean }[]> {
  const rows = new Map<string, ResultRow>();
  for (const line of (await readFile(cellsPath, 'utf8')).split('\n')) {
    if (line.trim() === '') continue;
    const row = resultRowSchema.parse(JSON.parse(line));
    rows.set(row.doc, row);
  }
  const columns = new Map(evaluation.attributes.map((attribute) => [attribute.name, attribute.column]));
  return evaluation.documents.flatMap((doc) => {
    const row = doc.predDoc === null ? undefined : rows.get(doc.predDoc);
    return Object.entries(doc.cells).flatMap(([attribute, score]) => {
      const cell = row?.cells[columns.get(attribute) ?? ''];
      return cell && cell.value !== null ? [{ confidence: cell.confidence, right: score.strictF1 >= 0.999 }] : [];
    });
  });
}

const round = (value: number) => Math.round(value * 1000) / 1000;
const percent = (value: number | undefined) => (value === undefined ? '-' : (100 * value).toFixed(1));

export function renderBenchMarkdown(report: BenchReport): string {
  const ran = report.methods.filter((method) => method.skipped === undefined);
  const lines = [
    `# Benchmark: ${report.setting}`,
    '',
    `Dataset: \`${report.dataset}\` (${report.documents} documents with gold). Model: ${report.model ?? 'none (built-in synthesizer)'}. Date: ${report.date}.`,
    '',
    ...(report.openIE
      ? [
          '## Open IE (METHOD.md): pair F1 over (document, attribute, value) and schema F1@k',
          '',
          '| method | pair F1 | precision | recall | schema F1@k | attributes discovered |',
          '|---|---:|---:|---:|---:|---|',
          ...ran.map((method) => `| ${method.method} | ${percent(method.open?.pairF1)} | ${percent(method.open?.precision)} | ${percent(method.open?.recall)} | ${percent(method.open?.schemaF1)} (k=${method.open?.k}) | ${(method.open?.attributes ?? []).join(', ')} |`),
          '',
        ]
      : []),
    `## Text F1 (METHOD.md), per ${report.openIE ? 'gold attribute, on the discovered column of the same name' : 'attribute'}`,
    '',
    'Each cell: paper F1 / strict F1. The paper metric cuts a prediction that begins with the gold to its length; strict does not, so over-capture costs.',
    '',
    `| attribute | ${ran.map((method) => method.method).join(' | ')} |`,
    `|---|${ran.map(() => '---:').join('|')}|`,
    ...report.attributes.map((attribute) => `| ${attribute} | ${ran.map((method) => `${percent(method.f1?.[attribute])} / ${percent(method.strictF1?.[attribute])}`).join(' | ')} |`),
    `| **average** | ${ran.map((method) => `**${percent(method.averageF1)} / ${percent(method.averageStrictF1)}**`).join(' | ')} |`,
    '',
    '## Cost and speed',
    '',
    '| method | functions by | model calls (live / cached) | prompt + completion tokens | cached tokens | cost | functions generated / kept | calibration error (cells) | apply docs/s | wall s |',
    '|---|---|---|---|---|---|---|---:|---:|---:|',
    ...ran.map((method) => {
      const model = method.model;
      return `| ${method.method} | ${method.synth ?? '-'} | ${model ? `${model.liveCalls} / ${model.cachedCalls}` : '0'} | ${model ? `${model.promptTokens} + ${model.completionTokens}` : '0'} | ${model ? model.cachedPromptTokens + model.cachedCompletionTokens : 0} | ${model?.costUsd == null ? (model ? 'unknown' : '$0') : `$${model.costUsd.toFixed(4)}`} | ${method.functionsGenerated} / ${method.functionsKept} (${Object.entries(method.keptByOrigin ?? {}).map(([origin, n]) => `${origin} ${n}`).join(', ') || '-'}) | ${method.calibration ? `${method.calibration.ece.toFixed(3)} (${method.calibration.cells})` : '-'} | ${method.applyDocsPerSecond} | ${method.wallSeconds} |`;
    }),
    ...report.methods.filter((method) => method.skipped !== undefined).map((method) => `\n${method.method}: not run, ${method.skipped}.`),
    '',
  ];
  return lines.join('\n');
}
