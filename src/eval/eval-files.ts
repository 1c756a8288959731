/**
 * The library function behind `evaporate eval --pred <table> --gold <gold>`: reads a predicted
 * table and any supported gold, and scores one against the other.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { loadBenchmark, type BenchmarkLayout, type BenchmarkSetting, type LoadBenchmarkOptions } from './benchmark.ts';
import { evaluateTable, type EvaluateOptions, type EvaluationReport } from './evaluate.ts';
import { readEvaporateTable, type GoldTable } from './gold.ts';
import { readPredictedTable } from './table.ts';

export interface EvaluateFilesOptions extends EvaluateOptions, LoadBenchmarkOptions {}

export interface EvaluationResult {
  predPath: string;
  goldPath: string;
  /** The benchmark setting the gold came from; null when the gold was a bare JSON table file. */
  setting: { name: string; layout: BenchmarkLayout; docsRoot: string } | null;
  /** Warnings from loading the gold (e.g. gold records without a document). */
  warnings: string[];
  report: EvaluationReport;
}

async function loadGold(goldPath: string, options: LoadBenchmarkOptions): Promise<Omit<EvaluationResult, 'predPath' | 'report'> & { gold: GoldTable }> {
  const info = await stat(goldPath).catch(() => null);
  // A bare table needs no documents: its keys are matched to the predicted rows by path suffix.
  if (info?.isFile() && path.extname(goldPath).toLowerCase() === '.json') {
    return { goldPath, setting: null, warnings: [], gold: await readEvaporateTable(goldPath) };
  }
  const settings = (await loadBenchmark(goldPath, options)).filter(
    (s): s is BenchmarkSetting & { gold: GoldTable } => s.gold !== null,
  );
  const only = settings[0];
  if (!only || settings.length > 1) {
    const found = settings.length === 0 ? 'no gold' : `${settings.length} settings with gold (${settings.map((s) => s.name).join(', ')})`;
    throw new Error(`${goldPath}: found ${found}; point the gold path at one setting's folder or at its table.json`);
  }
  return {
    goldPath,
    setting: { name: only.name, layout: only.layout, docsRoot: only.docsRoot },
    warnings: only.warnings,
    gold: only.gold,
  };
}

/** Scores the predicted table at `predPath` (.csv, .jsonl or .json) against the gold at `goldPath`. */
export async function evaluateFiles(predPath: string, goldPath: string, options: EvaluateFilesOptions = {}): Promise<EvaluationResult> {
  const { gold, ...loaded } = await loadGold(goldPath, options);
  const pred = await readPredictedTable(predPath);
  return { predPath, ...loaded, report: evaluateTable(pred, gold, options) };
}
