/**
 * Updating a finished run for a grown or changed folder (`extract <folder> --update <run-dir>`): documents whose
 * content digest is unchanged keep their rows, new and changed ones go through the run's program (its label model as
 * fitted, so no model is asked anything), removed ones drop out, and the whole table is written again in order.
 */
import { createReadStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { EvaporateError } from '../core/errors.ts';
import { compareStrings, contentHashes, corpusFromFiles, type Corpus } from '../corpus/index.ts';
import type { SandboxCounters } from '../sandbox/index.ts';
import { filling, readArtifact, readProgram, resultRowSchema, RUN_FILES, writeArtifact, type ResultRow, type TableFormat } from '../run/index.ts';
import { applyProgram } from './apply-program.ts';
import { openDocuments } from './documents.ts';
import type { PipelineEvent } from './events.ts';
import { openRunTable } from './stages/table.ts';

export interface UpdateOptions {
  /** The folder as it is now. */
  documents: string;
  /** The finished run to bring up to date; its table, cells and listing are rewritten. */
  runDir: string;
  /** Also write the table there (.csv, .jsonl, .json or .parquet). */
  out?: string;
  /** The table's format (csv, jsonl, json, parquet); default from the extension of `out`, else csv. */
  format?: TableFormat;
  timeoutMs?: number;
  isolates?: number;
  onEvent?: (event: PipelineEvent) => void;
  signal?: AbortSignal;
}

export interface UpdateResult {
  runDir: string;
  tablePath: string;
  cellsPath: string;
  rows: number;
  /** Documents by what happened to them. */
  added: number;
  changed: number;
  removed: number;
  unchanged: number;
  /** New or changed documents whose layout resembles no sample document's (their cells say so). */
  unsampledLayouts: number;
  counters: SandboxCounters;
  skipped: Corpus['skipped'];
}

export async function updateRun(options: UpdateOptions): Promise<UpdateResult> {
  const runDir = resolve(options.runDir);
  const settings = await readArtifact(runDir, 'run');
  const listing = await readArtifact(runDir, 'documents');
  if (!settings || !listing) throw new EvaporateError('bad-artifact', `${runDir} holds no finished run (run.json and documents.json are missing); run evaporate extract first.`, { settings: ['runDir'] });
  if (!listing.hashes) {
    throw new EvaporateError('bad-artifact', `${runDir} records no content digests (it was made by an earlier version, or stopped before its table); run evaporate extract on the folder once more, and update from then on.`, { settings: ['runDir'] });
  }
  const program = await readProgram(join(runDir, 'program.json'));
  const corpus = await openDocuments(options.documents, settings);
  const known = listing.hashes;
  const hashes = await contentHashes(corpus.documents);
  const redo = corpus.documents.filter((ref) => known[ref.id] === undefined || known[ref.id] !== hashes.get(ref.id));
  const added = redo.filter((ref) => known[ref.id] === undefined).length;
  const listed = new Set(corpus.documents.map((ref) => ref.id));
  const removed = Object.keys(known).filter((id) => !listed.has(id)).length;

  options.onEvent?.({ type: 'notice', message: `${added} new, ${redo.length - added} changed, ${removed} removed, ${corpus.documents.length - redo.length} unchanged documents` });
  options.onEvent?.({ type: 'stage', stage: 'apply', status: 'start' });
  const computed = new Map<string, ResultRow>();
  const applied = await applyProgram(program, corpusFromFiles(corpus.root, redo, { maxBytes: settings.maxBytes, skipped: corpus.skipped, ...(settings.converters ? { converters: settings.converters } : {}) }), (row) => void computed.set(row.doc, row), {
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.isolates ? { isolates: options.isolates } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    onDocument: (done, total) => options.onEvent?.({ type: 'progress', stage: 'apply', done, total }),
  });
  options.onEvent?.({ type: 'stage', stage: 'apply', status: 'done' });

  // The old cells are read as a stream beside the new listing: both are in corpus order, so memory holds only the
  // recomputed rows. The new files are temp files until complete, so the old one can be read while they are written.
  const redone = new Set(redo.map((ref) => ref.id));
  const old = oldRows(join(runDir, RUN_FILES.cells));
  const sink = await openRunTable(runDir, program.attributes, options, undefined);
  let rows = 0;
  await filling(sink, async () => {
    let pending = await old.next();
    for (const ref of corpus.documents) {
      while (!pending.done && compareStrings(pending.value.doc, ref.id) < 0) pending = await old.next();
      const kept = !pending.done && pending.value.doc === ref.id ? pending.value : undefined;
      const row = redone.has(ref.id) ? computed.get(ref.id) : kept;
      if (!row) continue;
      await sink.write(row);
      rows++;
    }
    await old.return(undefined);
  });
  await writeArtifact(runDir, 'documents', { root: corpus.root, documents: corpus.documents.length, skipped: corpus.skipped, hashes: Object.fromEntries(hashes) });
  return {
    runDir,
    tablePath: sink.tablePath,
    cellsPath: sink.cellsPath,
    rows,
    added,
    changed: redo.length - added,
    removed,
    unchanged: corpus.documents.length - redo.length,
    unsampledLayouts: applied.unsampledLayouts,
    counters: applied.counters,
    skipped: corpus.skipped,
  };
}

async function* oldRows(path: string): AsyncGenerator<ResultRow> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    yield resultRowSchema.parse(JSON.parse(line)) as ResultRow;
  }
}
