/**
 * Turns a run directory into the data a report embeds (views aside: see views.ts). Cells are streamed
 * from cells.jsonl, so reading 10,000 rows holds only the compact form in memory.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { EvaporateError, type ErrorHint } from '../core/errors.ts';
import { ARTIFACTS, RUN_FILES, type ResultRow } from '../run/index.ts';
import { parseCellsLine, readRunArtifacts, type RunArtifacts } from './artifacts.ts';
import type { AttributeReport, CandidateEntry, EvaluationInfo, FunctionInfo, ReportCell, ReportData, ReportRow, RunFacts } from './types.ts';

/** Skipped files listed on the page; the count says how many more there were. */
const MAX_SKIPPED_LISTED = 1000;
const WORST_DOCUMENTS = 20;

export class ReportError extends EvaporateError {
  override name = 'ReportError';
  constructor(message: string, hint: ErrorHint = {}) {
    super('report', message, hint);
  }
}

export interface LoadedReport {
  data: ReportData;
  artifacts: RunArtifacts;
}

export async function loadReportData(runDir: string): Promise<LoadedReport> {
  const dir = resolve(runDir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ReportError(`Run directory not found: ${runDir}. Pass the directory of an extract, apply or bench run.`);
  }
  const artifacts = await readRunArtifacts(dir);
  const hasCells = existsSync(join(dir, RUN_FILES.cells));
  if (!hasCells && artifacts.run === undefined) {
    throw new ReportError(`${runDir} holds neither ${ARTIFACTS.run.file} nor ${RUN_FILES.cells}: it is not a run directory.`);
  }
  const notes = [...artifacts.notes];
  for (const attribute of artifacts.program?.attributes ?? []) if (attribute.note) notes.push(`${attribute.name}: ${attribute.note}.`);
  const functions = createFunctionTable(artifacts);
  const names = attributeNames(artifacts);
  const rows: ReportRow[] = [];
  if (hasCells) await readRows(join(dir, RUN_FILES.cells), names, functions, rows, notes);
  else notes.push(`No ${RUN_FILES.cells}: the run stopped before the apply stage, so there is no table yet.`);
  const evaluation = artifacts.evaluation ? attachEvaluation(artifacts.evaluation, names, rows) : null;
  const data: ReportData = {
    version: 1,
    generatedAt: new Date().toISOString(),
    run: runFacts(dir, artifacts, rows.length),
    attributes: names.map((name, index) => attributeReport(name, index, artifacts, functions, rows)),
    functions: functions.list,
    rows,
    views: { mode: 'none', note: 'Document views are not embedded.', radius: null, missing: [] },
    evaluation,
    notes,
  };
  return { data, artifacts };
}

interface FunctionTable {
  list: FunctionInfo[];
  /** Index of a function id, adding an entry the artifacts did not describe (e.g. the direct method's voter). */
  indexOf(id: string, attribute: string): number;
}

function createFunctionTable(artifacts: RunArtifacts): FunctionTable {
  const list: FunctionInfo[] = [];
  const byId = new Map<string, number>();
  const add = (info: FunctionInfo) => {
    byId.set(info.id, list.length);
    list.push(info);
  };
  const scored = new Map<string, { f1: number; coverage: number }>();
  for (const entry of Object.values(artifacts.scores?.attributes ?? {})) for (const score of entry.scores) scored.set(score.id, score);
  // Kept functions first, in the program's order: that is how the page lists them.
  for (const attribute of artifacts.program?.attributes ?? []) {
    for (const fn of attribute.functions) {
      add({
        id: fn.id,
        attribute: attribute.name,
        origin: fn.origin ?? 'user',
        strategy: fn.strategy ?? null,
        kept: true,
        sampleF1: fn.sampleF1 ?? scored.get(fn.id)?.f1 ?? null,
        sampleCoverage: scored.get(fn.id)?.coverage ?? null,
        accuracy: fn.accuracy ?? null,
        sampleDocs: fn.sampleDocs?.length ?? 0,
        source: fn.source,
      });
    }
  }
  for (const candidate of artifacts.candidates?.candidates ?? []) {
    if (byId.has(candidate.id)) continue;
    add({
      id: candidate.id,
      attribute: candidate.attribute,
      origin: candidate.origin,
      strategy: candidate.strategy,
      kept: false,
      sampleF1: scored.get(candidate.id)?.f1 ?? null,
      sampleCoverage: scored.get(candidate.id)?.coverage ?? null,
      accuracy: null,
      sampleDocs: candidate.sampleDocs?.length ?? 0,
      source: null,
    });
  }
  return {
    list,
    indexOf(id, attribute) {
      const known = byId.get(id);
      if (known !== undefined) return known;
      const direct = id === 'direct';
      add({
        id,
        attribute: direct ? '' : attribute,
        origin: direct ? 'model' : null,
        strategy: direct ? 'direct extraction' : null,
        kept: true,
        sampleF1: null,
        sampleCoverage: null,
        accuracy: null,
        sampleDocs: 0,
        source: null,
      });
      return list.length - 1;
    },
  };
}

/** The attribute columns: the schema's order, else the program's; cells may add more (hand-edited programs). */
function attributeNames(artifacts: RunArtifacts): string[] {
  const names = artifacts.schema?.map((attribute) => attribute.name) ?? artifacts.program?.attributes.map((attribute) => attribute.name) ?? [];
  return [...new Set(names)];
}

async function readRows(path: string, names: string[], functions: FunctionTable, rows: ReportRow[], notes: string[]): Promise<void> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let lineNumber = 0;
  const bad: string[] = [];
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    const parsed = parseCellsLine(line);
    if ('error' in parsed) {
      bad.push(`line ${lineNumber}: ${parsed.error}`);
      continue;
    }
    for (const name of Object.keys(parsed.cells)) if (!names.includes(name)) names.push(name);
    rows.push(compactRow(parsed, names, functions));
  }
  if (bad.length > 0) notes.push(`${bad.length} line(s) of ${RUN_FILES.cells} could not be read and are left out (${bad.slice(0, 3).join('; ')}${bad.length > 3 ? '; ...' : ''}).`);
}

const round4 = (value: number) => Math.round(value * 10_000) / 10_000;

function compactRow(line: ResultRow, names: readonly string[], functions: FunctionTable): ReportRow {
  return {
    d: line.doc,
    c: names.map((name): ReportCell => {
      const cell = line.cells[name];
      if (cell === undefined) return { c: 0 };
      const compact: ReportCell = { c: round4(cell.confidence) };
      if (cell.value !== null) compact.v = cell.value;
      if (cell.voters.length > 0) compact.f = cell.voters.map((id) => functions.indexOf(id, name));
      if (cell.spans.length > 0) compact.s = cell.spans;
      if (cell.page !== undefined) compact.p = cell.page;
      if (cell.box !== undefined) compact.b = cell.box;
      if (cell.candidates.length > 1) {
        compact.k = cell.candidates.map((candidate): CandidateEntry => [
          candidate.value,
          round4(candidate.probability),
          candidate.voters.map((id) => functions.indexOf(id, name)),
        ]);
      }
      return compact;
    }),
  };
}

function runFacts(runDir: string, artifacts: RunArtifacts, rows: number): RunFacts {
  const skipped = artifacts.documents?.skipped ?? [];
  const corpus = artifacts.documents?.root || (artifacts.run && artifacts.run.documents !== '<in memory>' ? artifacts.run.documents : '');
  return {
    runDir,
    corpus: corpus || null,
    method: artifacts.summary?.method ?? artifacts.run?.method ?? null,
    synthesizer: describeSynth(artifacts.summary ? artifacts.summary.synth : (artifacts.run?.synth ?? null)),
    model: artifacts.run?.model ?? null,
    documents: artifacts.documents?.documents ?? rows,
    rows,
    skipped: skipped.slice(0, MAX_SKIPPED_LISTED),
    skippedTotal: skipped.length,
    sample: artifacts.sample ?? [],
    stageSeconds: artifacts.summary?.stageSeconds ?? {},
    applyDocsPerSecond: artifacts.summary?.applyDocsPerSecond ?? null,
    sandbox: artifacts.summary?.sandbox ?? null,
    usage: artifacts.usage ?? null,
  };
}

function attributeReport(name: string, index: number, artifacts: RunArtifacts, functions: FunctionTable, rows: readonly ReportRow[]): AttributeReport {
  let filled = 0;
  let confidence = 0;
  // Mean confidence of the cells with a value, as the run's summary reports it.
  for (const row of rows) {
    const cell = row.c[index];
    if (cell?.v === undefined) continue;
    filled++;
    confidence += cell.c;
  }
  const scores = artifacts.scores?.attributes[name];
  const program = artifacts.program?.attributes.find((attribute) => attribute.name === name);
  const kept = program ? program.functions.map((fn) => functions.indexOf(fn.id, name)) : (scores?.kept ?? []).map((id) => functions.indexOf(id, name));
  return {
    name,
    description: artifacts.schema?.find((attribute) => attribute.name === name)?.description ?? program?.description ?? null,
    coverage: rows.length ? filled / rows.length : 0,
    meanConfidence: filled ? confidence / filled : 0,
    abstainOnEmpty: scores?.abstainOnEmpty ?? program?.abstainOnEmpty ?? null,
    pseudoLabelSource: scores?.pseudoLabelSource ?? null,
    candidates: artifacts.candidates ? artifacts.candidates.candidates.filter((candidate) => candidate.attribute === name).length : kept.length,
    kept,
    dropped: (scores?.dropped ?? []).map((entry) => ({ fn: functions.indexOf(entry.id, name), reason: entry.reason })),
    failures: (artifacts.candidates?.failures ?? []).filter((failure) => failure.attribute === name).map(({ reason, detail }) => ({ reason, detail })),
  };
}

/** Put gold and F1 into the cells they score, and keep the worst documents for the run facts. */
function attachEvaluation(evaluation: NonNullable<RunArtifacts['evaluation']>, names: readonly string[], rows: ReportRow[]): EvaluationInfo {
  const rowIndex = new Map(rows.map((row, index) => [row.d, index]));
  const columnIndex = new Map(evaluation.attributes.map((attribute) => [attribute.name, attribute.column === null ? -1 : names.indexOf(attribute.column)]));
  for (const doc of evaluation.documents) {
    const row = doc.predDoc === null ? undefined : rows[rowIndex.get(doc.predDoc) ?? -1];
    if (row === undefined) continue;
    for (const [attribute, score] of Object.entries(doc.cells)) {
      const cell = row.c[columnIndex.get(attribute) ?? -1];
      if (cell === undefined) continue;
      cell.g = score.gold;
      cell.e = round4(score.f1);
    }
  }
  const worst = [...evaluation.documents]
    .sort((a, b) => a.meanF1 - b.meanF1 || a.doc.localeCompare(b.doc))
    .slice(0, WORST_DOCUMENTS)
    .map((doc) => ({ doc: doc.predDoc ?? doc.doc, meanF1: round4(doc.meanF1), row: doc.predDoc !== null && rowIndex.has(doc.predDoc) }));
  return {
    averageF1: evaluation.averageF1,
    pairs: evaluation.pairs,
    attributes: evaluation.attributes,
    worst,
    missingDocuments: evaluation.missingDocuments.slice(0, MAX_SKIPPED_LISTED),
  };
}

function describeSynth(synth: 'model' | 'builtin' | 'both' | null): string | null {
  return synth === null ? null : { model: 'the model', builtin: 'built-in rules', both: 'the model and built-in rules' }[synth];
}
