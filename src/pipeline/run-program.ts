import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Converter, Corpus, InputDocument } from '../corpus/index.ts';
import { defaultRunDir, filling, openRowSink, readProgram, RUN_FILES, tableFormatOf, type Program, type ResultRow, type TableFormat } from '../run/index.ts';
import type { ApplySummary } from './apply-program.ts';
import { createDriftTally, type AttributeDrift } from './drift.ts';
import { applyHereOrOnQueue, type FailedShard, type QueueRunOptions } from './queue/index.ts';
import { openDocuments, refuseConvertersOnQueue } from './documents.ts';
import type { PipelineEvent } from './events.ts';

export interface ApplyRunOptions {
  /** A program.json path or a program object. */
  program: string | Program;
  documents: string | Iterable<InputDocument>;
  /** Table to write (.csv, .jsonl, .json or .parquet); default `table.<format>` in the run directory. */
  out?: string;
  /** The table's format (csv, jsonl, json, parquet); default from the extension of `out`, else csv. */
  format?: TableFormat;
  runDir?: string;
  include?: string[];
  exclude?: string[];
  maxBytes?: number;
  /** Commands that read files of an extension instead of the built-in readers (see `ExtractOptions.converters`). */
  converters?: readonly Converter[];
  /** Follow symbolic links that lead out of the folder (default false). */
  followLinks?: boolean;
  timeoutMs?: number;
  isolates?: number;
  /** Documents the label model is fitted on when the program has no accuracies yet (default 500), a seeded sample. */
  fitDocuments?: number;
  /** Run the functions on queue workers (`evaporate worker`) instead of here; the table is the same. */
  queue?: QueueRunOptions;
  onEvent?: (event: PipelineEvent) => void;
  onRow?: (row: ResultRow) => void | Promise<void>;
  signal?: AbortSignal;
}

export interface ApplyRunResult extends ApplySummary {
  runDir: string;
  tablePath: string;
  cellsPath: string;
  skipped: Corpus['skipped'];
  /** Queued runs: shards that kept failing (their documents have no rows); run again with the same run directory to retry them. */
  failedShards?: FailedShard[];
  /** Per attribute, coverage on sampled and unsampled layouts against the sample's, with warnings. */
  drift: AttributeDrift[];
}

/** Apply a saved program to documents: no model, same sandbox and aggregation as extract. */
export async function runProgram(options: ApplyRunOptions): Promise<ApplyRunResult> {
  const format = options.format ?? (options.out ? tableFormatOf(options.out) : 'csv'); // fails before anything is read or created
  const program = typeof options.program === 'string' ? await readProgram(options.program) : options.program;
  refuseConvertersOnQueue(options);
  const corpus = await openDocuments(options.documents, options);
  const runDir = resolve(options.runDir ?? defaultRunDir());
  await mkdir(runDir, { recursive: true });
  const sink = await openRowSink({
    tablePath: resolve(options.out ?? join(runDir, `table.${format}`)),
    cellsPath: join(runDir, RUN_FILES.cells),
    attributes: program.attributes,
    format,
    ...(options.onRow ? { onRow: options.onRow } : {}),
  });
  const drift = createDriftTally(program);
  options.onEvent?.({ type: 'stage', stage: 'apply', status: 'start' });
  const summary = await filling(sink, () =>
    applyHereOrOnQueue(program, corpus, (row) => (drift.add(row), sink.write(row)), {
      queue: options.queue,
      resultsDir: join(runDir, 'shards'),
      onNotice: (message) => options.onEvent?.({ type: 'notice', message }),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.isolates ? { isolates: options.isolates } : {}),
      ...(options.fitDocuments ? { fitDocuments: options.fitDocuments } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      onDocument: (done, total) => options.onEvent?.({ type: 'progress', stage: 'apply', done, total }),
    }),
  );
  options.onEvent?.({ type: 'stage', stage: 'apply', status: 'done' });
  return { ...summary, runDir, tablePath: sink.tablePath, cellsPath: sink.cellsPath, skipped: corpus.skipped, drift: drift.report() };
}
