import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { corpusFromDocuments, openCorpus, type Corpus, type InputDocument } from '../corpus/index.ts';
import { applyProgram, type ApplySummary } from './apply.ts';
import type { PipelineEvent } from './events.ts';
import { ExtractError } from './extract.ts';
import { readProgram, type Program } from './program.ts';
import { ARTIFACTS, defaultRunDir } from './run-dir.ts';
import { createCellsWriter, createTableWriter, tableFormatOf, type ResultRow } from './table.ts';

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
}

export interface ApplyRunResult extends ApplySummary {
  tablePath: string;
  cellsPath: string;
  skipped: Corpus['skipped'];
}

/** Apply a saved program to documents: no model, same sandbox and aggregation as extract. */
export async function runProgram(options: ApplyRunOptions): Promise<ApplyRunResult> {
  const program = typeof options.program === 'string' ? await readProgram(options.program) : options.program;
  const corpus = typeof options.documents === 'string'
    ? await openCorpus(options.documents, { include: options.include, exclude: options.exclude, maxBytes: options.maxBytes })
    : corpusFromDocuments(options.documents);
  if (corpus.documents.length === 0) throw new ExtractError('No documents found. Check the folder and the --include/--exclude patterns.');
  const runDir = resolve(options.runDir ?? defaultRunDir());
  await mkdir(runDir, { recursive: true });
  const tablePath = resolve(options.out ?? join(runDir, 'table.csv'));
  const cellsPath = join(runDir, ARTIFACTS.cells);
  const names = program.attributes.map((attribute) => attribute.name);
  const table = await createTableWriter(tablePath, names, tableFormatOf(tablePath));
  const cells = await createCellsWriter(cellsPath);
  options.onEvent?.({ type: 'stage', stage: 'apply', status: 'start' });
  try {
    const summary = await applyProgram(
      program,
      corpus,
      async (row) => {
        await table.write(row);
        await cells.write(row);
        await options.onRow?.(row);
      },
      {
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
        ...(options.isolates ? { isolates: options.isolates } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        onDocument: (done, total) => options.onEvent?.({ type: 'progress', stage: 'apply', done, total }),
      },
    );
    await table.close();
    await cells.close();
    options.onEvent?.({ type: 'stage', stage: 'apply', status: 'done' });
    return { ...summary, tablePath, cellsPath, skipped: corpus.skipped };
  } catch (error) {
    await table.abort();
    await cells.abort();
    throw error;
  }
}
