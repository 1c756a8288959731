import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { corpusFromDocuments, openCorpus, type Corpus, type InputDocument } from '../corpus/index.ts';
import { applyProgram, type ApplySummary } from './apply.ts';
import type { PipelineEvent } from './events.ts';
import { ExtractError, writeRunReport } from './extract.ts';
import { readProgram, type Program } from './program.ts';
import { ARTIFACTS, defaultRunDir } from './run-dir.ts';
import { filling, openRowSink, tableFormatOf, type ResultRow } from './table.ts';

export interface ApplyRunOptions {
  /** A program.json path or a program object. */
  program: string | Program;
  documents: string | Iterable<InputDocument>;
  /** Table to write (.csv, .jsonl or .json); default `table.csv` in the run directory. */
  out?: string;
  runDir?: string;
  include?: string[];
  exclude?: string[];
  maxBytes?: number;
  timeoutMs?: number;
  isolates?: number;
  onEvent?: (event: PipelineEvent) => void;
  onRow?: (row: ResultRow) => void | Promise<void>;
  signal?: AbortSignal;
  /** Write report.html into the run directory (default true). */
  report?: boolean;
}

export interface ApplyRunResult extends ApplySummary {
  tablePath: string;
  cellsPath: string;
  skipped: Corpus['skipped'];
}

/** Apply a saved program to documents: no model, same sandbox and aggregation as extract. */
export async function runProgram(options: ApplyRunOptions): Promise<ApplyRunResult> {
  if (options.out) tableFormatOf(options.out); // fail before anything is read or created
  const program = typeof options.program === 'string' ? await readProgram(options.program) : options.program;
  const corpus = typeof options.documents === 'string'
    ? await openCorpus(options.documents, { include: options.include, exclude: options.exclude, maxBytes: options.maxBytes })
    : corpusFromDocuments(options.documents);
  if (corpus.documents.length === 0) throw new ExtractError('No documents found. Check the folder and the --include/--exclude patterns.');
  const runDir = resolve(options.runDir ?? defaultRunDir());
  await mkdir(runDir, { recursive: true });
  const sink = await openRowSink({
    tablePath: resolve(options.out ?? join(runDir, 'table.csv')),
    cellsPath: join(runDir, ARTIFACTS.cells),
    attributes: program.attributes.map((attribute) => attribute.name),
    ...(options.onRow ? { onRow: options.onRow } : {}),
  });
  options.onEvent?.({ type: 'stage', stage: 'apply', status: 'start' });
  const summary = await filling(sink, () =>
    applyProgram(program, corpus, (row) => sink.write(row), {
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.isolates ? { isolates: options.isolates } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      onDocument: (done, total) => options.onEvent?.({ type: 'progress', stage: 'apply', done, total }),
    }),
  );
  options.onEvent?.({ type: 'stage', stage: 'apply', status: 'done' });
  if (options.report ?? true) await writeRunReport(runDir, options.onEvent ?? (() => {}));
  return { ...summary, tablePath: sink.tablePath, cellsPath: sink.cellsPath, skipped: corpus.skipped };
}
