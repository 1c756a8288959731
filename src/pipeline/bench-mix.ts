/**
 * Mixed folders measured (issue 17): several benchmarks copied into one folder (each in its own subfolder) are
 * extracted in one run over the union of their attributes, and each part is scored on its own attributes beside
 * a separate run over that benchmark alone. The gap says what mixing layouts costs; the sample's coverage says
 * whether every part was sampled at all.
 */
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { AttributeSpec } from '../core/attributes.ts';
import type { Method } from '../core/settings.ts';
import { seededSample } from '../corpus/index.ts';
import { evaluateTable, loadBenchmark, readPredictedTable, type BenchmarkSetting, type PredictedTable } from '../eval/index.ts';
import { readArtifact } from '../run/index.ts';
import { benchRunSettings, type BenchOptions } from './bench.ts';
import { runExtraction } from './extract.ts';

export interface MixOptions extends Omit<BenchOptions, 'dataset' | 'methods' | 'openIE' | 'attributes'> {
  /** Benchmark folders with gold; the first setting with gold of each is used. */
  datasets: string[];
  method?: Method;
  /** At most this many documents of each (a seeded sample), so a large benchmark does not drown the others. */
  perDataset?: number;
}

export interface MixPart {
  setting: string;
  documents: number;
  /** Sample documents drawn from this part in the mixed run. */
  sampled: number;
  separate: { paper: number; strict: number };
  mixed: { paper: number; strict: number };
}

export interface MixReport {
  datasets: string[];
  method: Method;
  model: string | null;
  date: string;
  documents: number;
  sampleSize: number;
  /** The mixed run's sample documents (`<part>/<id>`). */
  sample: string[];
  attributes: string[];
  parts: MixPart[];
}

export async function benchMix(options: MixOptions): Promise<{ report: MixReport; files: string[] }> {
  const method = options.method ?? 'code+';
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const workDir = resolve(options.workDir ?? join('.evaporate', 'bench'), `mix-${stamp}`);
  const settings = await Promise.all(options.datasets.map(firstWithGold));
  const names = uniqueNames(settings);
  const mixed = join(workDir, 'mixed');
  await rm(mixed, { recursive: true, force: true });
  const docsOf = new Map<string, string[]>();
  for (const [index, setting] of settings.entries()) {
    const ids = [...(setting.gold?.rows.keys() ?? [])].sort();
    const kept = options.perDataset === undefined || ids.length <= options.perDataset ? ids : seededSample(ids, options.perDataset, options.seed ?? 0, (id) => id).sort();
    docsOf.set(names[index] as string, kept);
    for (const id of kept) {
      const target = join(mixed, names[index] as string, id);
      await mkdir(dirname(target), { recursive: true });
      await copyFile(join(setting.docsRoot, id), target);
    }
  }
  const specs = new Map<string, AttributeSpec>();
  for (const setting of settings) for (const name of setting.attributes) specs.set(name, { name });
  const run = (documents: string, attributes: AttributeSpec[], runDir: string) =>
    runExtraction({
      documents,
      attributes,
      model: options.model ?? null,
      method,
      runDir,
      ...benchRunSettings(options, workDir),
    });
  const together = await run(mixed, [...specs.values()], join(workDir, 'run-mixed'));
  const predicted = await readPredictedTable(together.tablePath);
  const sample = (await readArtifact(together.runDir, 'sample')) ?? [];
  const parts: MixPart[] = [];
  for (const [index, setting] of settings.entries()) {
    const name = names[index] as string;
    const ids = docsOf.get(name) ?? [];
    // The separate run sees the same documents: a folder of only this part's copies.
    const alone = await run(join(mixed, name), setting.attributes.map((attribute) => ({ name: attribute })), join(workDir, `run-${name}`));
    parts.push({
      setting: name,
      documents: ids.length,
      sampled: sample.filter((id) => id.startsWith(`${name}/`)).length,
      separate: score(await readPredictedTable(alone.tablePath), setting, ids, ''),
      mixed: score(predicted, setting, ids, `${name}/`),
    });
  }
  const report: MixReport = {
    datasets: options.datasets.map((dataset) => resolve(dataset)),
    method,
    model: options.model?.model ?? null,
    date: new Date().toISOString(),
    documents: together.rows,
    sampleSize: sample.length,
    sample,
    attributes: [...specs.keys()],
    parts,
  };
  const resultsDir = resolve(options.resultsDir ?? workDir);
  await mkdir(resultsDir, { recursive: true });
  const base = join(resultsDir, `bench-mix-${names.join('+')}`);
  await writeFile(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(`${base}.md`, renderMixMarkdown(report));
  return { report, files: [`${base}.md`, `${base}.json`] };
}

async function firstWithGold(dataset: string): Promise<BenchmarkSetting> {
  const setting = (await loadBenchmark(dataset)).find((candidate) => candidate.gold !== null);
  if (setting === undefined) throw new Error(`${dataset}: no benchmark with gold found (expected docs/ + table.json, or an SWDE site with groundtruth/)`);
  return setting;
}

/** Subfolder names: the settings' names, made unique and safe as folder names. */
function uniqueNames(settings: readonly BenchmarkSetting[]): string[] {
  const seen = new Map<string, number>();
  return settings.map((setting) => {
    const base = setting.name.replace(/[^\w.-]+/g, '_');
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    return count === 1 ? base : `${base}-${count}`;
  });
}

/** Text F1 (paper and strict) of the part's documents, read from a table whose ids carry `prefix`. */
function score(predicted: PredictedTable, setting: BenchmarkSetting, ids: readonly string[], prefix: string): { paper: number; strict: number } {
  const rows: PredictedTable = new Map();
  for (const id of ids) {
    const row = predicted.get(`${prefix}${id}`);
    if (row) rows.set(id, row);
  }
  const gold = { attributes: setting.gold!.attributes, rows: new Map(ids.map((id) => [id, setting.gold!.rows.get(id) ?? {}])) };
  const report = evaluateTable(rows, gold, { attributes: setting.attributes });
  return { paper: round(report.averageF1), strict: round(report.averageStrictF1) };
}

const round = (value: number): number => Math.round(value * 1000) / 1000;
const pct = (value: number): string => (100 * value).toFixed(1);

function renderMixMarkdown(report: MixReport): string {
  return [
    `# Mixed folder: ${report.parts.map((part) => part.setting).join(' + ')}`,
    '',
    `${report.date}; method ${report.method}; ${report.model ? `model ${report.model}` : 'built-in synthesizer'}; ${report.documents} documents, sample ${report.sampleSize}; attributes ${report.attributes.join(', ')}.`,
    'Each part is scored on its own attributes, in the mixed run and in a run over that part alone (same documents).',
    '',
    '| part | documents | sampled | alone: paper / strict F1 | mixed: paper / strict F1 | strict gap |',
    '|---|---|---|---|---|---|',
    ...report.parts.map((part) => `| ${part.setting} | ${part.documents} | ${part.sampled} | ${pct(part.separate.paper)} / ${pct(part.separate.strict)} | ${pct(part.mixed.paper)} / ${pct(part.mixed.strict)} | ${pct(part.mixed.strict - part.separate.strict)} |`),
    '',
  ].join('\n');
}
