/**
 * The whole method as a list of stages over one run context: each stage reads typed artifacts and returns
 * one, saved in the run directory so a resumed run recomputes only what changed.
 */
import { constants, existsSync } from 'node:fs';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { checkAttributeNames, toAttributeSpec, type AttributeSpec } from '../core/attributes.ts';
import type { Method, SynthMode } from '../core/settings.ts';
import type { Corpus } from '../corpus/index.ts';
import type { UsageReport } from '../model/index.ts';
import { ARTIFACTS, defaultRunDir, tableFormatOf, writeArtifact, writeProgram, type AttributeSummary, type Program, type Summary, type TableFormat } from '../run/index.ts';
import type { SandboxCounters } from '../sandbox/index.ts';
import { createRunContext, ExtractError, stopIfPending, type RunContext } from './context.ts';
import { openDocuments, refuseConvertersOnQueue, saveListing } from './documents.ts';
import type { StageName } from './events.ts';
import type { ExtractOptions } from './options.ts';
import { applyStage } from './stages/apply.ts';
import type { FailedShard } from './queue/index.ts';
import { directStage } from './stages/direct.ts';
import { buildProgram } from './stages/program.ts';
import { pseudoLabelStage } from './stages/pseudo-labels.ts';
import { sampleVotesStage } from './stages/sample-votes.ts';
import { sampleStage } from './stages/sample.ts';
import { requireAttributes, schemaStage } from './stages/schema.ts';
import { scoreStage } from './stages/score.ts';
import { synthesisStage } from './stages/synthesis.ts';
import { createColumnComparison, rewriteWithout, withoutColumns } from './stages/columns.ts';
import { createCellTally, openRunTable } from './stages/table.ts';

export interface ExtractResult {
  runDir: string;
  method: Method;
  /** Who wrote the candidate functions; null for the direct method. */
  synth: SynthMode | null;
  attributes: AttributeSpec[];
  rows: number;
  tablePath: string;
  /** Where the table was also written, when asked (`out`). */
  out: string | null;
  cellsPath: string;
  programPath: string | null;
  program: Program | null;
  usage: UsageReport | null;
  sandbox: SandboxCounters | null;
  perAttribute: AttributeSummary[];
  skipped: Corpus['skipped'];
  /** Documents the apply (or direct) stage processed per second. */
  applyDocsPerSecond: number;
  stageSeconds: Partial<Record<StageName, number>>;
  /**
   * A model was configured and every request to it failed: the table holds only what the built-in rules found
   * (or nothing, for direct). The stages that needed the model are not saved, so resuming asks again.
   */
  modelFailed: boolean;
  /** Documents whose layout resembles no sample document's: their cells are marked "layout not sampled". */
  unsampledLayouts: number;
  /** Queued runs (`queue`): shards that failed on every attempt; their documents have no rows. Resuming retries them. */
  failedShards?: FailedShard[];
}

/** Run the whole method over a corpus and write the table, the program and the usage into the run directory. */
export async function runExtraction(options: ExtractOptions): Promise<ExtractResult> {
  const method = options.method ?? 'code+';
  if (!options.model && (method === 'direct' || (options.synth !== undefined && options.synth !== 'builtin'))) {
    throw new ExtractError('needs-model', `${method === 'direct' ? 'The direct method' : `synth "${options.synth}"`} needs a model; configure one, or let the built-in synthesizer write the functions.`, {
      settings: method === 'direct' ? ['model'] : ['model', 'synth'],
    });
  }
  if (options.attributes?.length) checkAttributeNames(options.attributes.map((attribute) => toAttributeSpec(attribute).name));
  // An unknown table format or a place that cannot be written fails now, not after the model was paid.
  if (options.out) await checkOutput(options.out, options.format);
  refuseConvertersOnQueue(options);
  const corpus = await openDocuments(options.documents, options);
  // Created only once there is something to run, so a run that fails to start leaves nothing behind.
  const ctx = await createRunContext(options, options.runDir ?? defaultRunDir());
  const runDir = ctx.runDir as string;
  try {
    ctx.emit({ type: 'stage', stage: 'documents', status: 'done', detail: `${corpus.documents.length} files listed${corpus.skipped.length ? `, ${corpus.skipped.length} skipped so far` : ''}; more may be skipped as they are read` });
    await saveListing(runDir, corpus);
    const sample = await sampleStage(ctx, corpus);
    const attributes = await schemaStage(ctx, sample);
    await stopIfPending(ctx, options.batchExport);
    requireAttributes(attributes);
    ctx.emit({ type: 'notice', message: `Attributes: ${attributes.map((a) => a.name).join(', ')}` });

    // Opened just before rows flow, so a run that stops earlier leaves no partial table behind.
    const openTable = (columns: readonly AttributeSpec[], streamRows = true) => openRunTable(runDir, columns, options, streamRows ? options.onRow : undefined);
    let tally = createCellTally(attributes);
    let sink: Awaited<ReturnType<typeof openTable>>;
    let outcome: Pick<ExtractResult, 'attributes' | 'programPath' | 'program' | 'sandbox' | 'perAttribute' | 'applyDocsPerSecond' | 'unsampledLayouts' | 'failedShards'>;
    if (ctx.settings.method === 'direct') {
      sink = await openTable(attributes);
      const docsPerSecond = await directStage(ctx, ctx.client as NonNullable<RunContext['client']>, corpus, attributes, sink, tally, options.batchExport);
      outcome = { attributes, unsampledLayouts: 0, programPath: null, program: null, sandbox: null, perAttribute: attributes.map((a) => tally.summary(a.name, [], 0)), applyDocsPerSecond: docsPerSecond };
    } else {
      // Pseudo-labels first: synthesis shows the model the chunk where it found each value.
      const pseudoLabels = await pseudoLabelStage(ctx, sample, attributes);
      await stopIfPending(ctx, options.batchExport);
      const candidates = await synthesisStage(ctx, sample, attributes, pseudoLabels);
      await stopIfPending(ctx, options.batchExport);
      const sampleVotes = await sampleVotesStage(ctx, sample, attributes, candidates);
      const scores = await scoreStage(ctx, attributes, candidates, sampleVotes, pseudoLabels);
      const program = buildProgram(attributes, candidates, scores, ctx.settings, sample);
      tally = createCellTally(program.attributes);
      const openIE = ctx.settings.attributes === null;
      const columns = createColumnComparison(openIE ? program.attributes.map((attribute) => attribute.name) : []);
      sink = await openTable(program.attributes);
      const applied = await applyStage(ctx, program, corpus, sink, tally, columns);
      const merged = columns.repeats();
      if (merged.size > 0) {
        applied.program = withoutColumns(applied.program, merged);
        ctx.emit({ type: 'notice', message: `Merged columns that held the same values: ${[...merged].map(([name, into]) => `${name} into ${into}`).join(', ')}` });
        const cellsFile = join(runDir, 'cells.before-merge.jsonl');
        await rename(sink.cellsPath, cellsFile);
        sink = await openTable(applied.program.attributes, false);
        await rewriteWithout(cellsFile, merged, sink);
        await rm(cellsFile, { force: true });
      }
      const programPath = join(runDir, ARTIFACTS.program.file);
      await writeProgram(programPath, applied.program);
      const countOf = (name: string) => candidates.candidates.filter((candidate) => candidate.attribute === name).length;
      outcome = {
        // The table's columns: discovered attributes merged into another are not among them.
        attributes: attributes.filter((attribute) => applied.program.attributes.some((column) => column.name === attribute.name)),
        programPath,
        program: applied.program,
        sandbox: applied.counters,
        perAttribute: applied.program.attributes.map((a) => tally.summary(a.name, a.functions, countOf(a.name), a.note)),
        applyDocsPerSecond: applied.docsPerSecond,
        unsampledLayouts: applied.unsampledLayouts,
        ...(applied.failedShards.length ? { failedShards: applied.failedShards } : {}),
      };
    }
    const usage = await ctx.saveUsage();
    const result: ExtractResult = {
      runDir,
      method: ctx.settings.method,
      synth: ctx.settings.method === 'direct' ? null : ctx.settings.synth,
      rows: tally.rows,
      tablePath: sink.tablePath,
      out: options.out ?? null,
      cellsPath: sink.cellsPath,
      usage,
      modelFailed: usage !== null && usage.total.failedCalls > 0 && usage.total.liveCalls + usage.total.cachedCalls === 0,
      skipped: corpus.skipped,
      stageSeconds: ctx.stageSeconds,
      ...outcome,
    };
    await saveListing(runDir, corpus, { hashes: true }); // loading may have skipped more files (binary, unreadable) since the listing
    await writeArtifact(runDir, 'summary', summaryOf(result));
    return result;
  } finally {
    // Stopped, failed or waiting for a batch: what this process spent is kept.
    await ctx.saveUsage();
  }
}

async function checkOutput(out: string, format: TableFormat | undefined): Promise<void> {
  if (format === undefined) tableFormatOf(out);
  try {
    await mkdir(dirname(resolve(out)), { recursive: true });
    await access(dirname(resolve(out)), constants.W_OK);
    if (existsSync(out)) await access(out, constants.W_OK);
  } catch (error) {
    throw new ExtractError('invalid-option', `Cannot write the table to ${out}: ${(error as Error).message}. Choose a place that can be written.`, { settings: ['out'] });
  }
}

function summaryOf(result: ExtractResult): Summary {
  return {
    runDir: result.runDir,
    method: result.method,
    synth: result.synth,
    rows: result.rows,
    attributes: result.perAttribute,
    table: result.tablePath,
    cells: result.cellsPath,
    program: result.programPath,
    skipped: result.skipped,
    usage: result.usage?.total ?? null,
    sandbox: result.sandbox,
    applyDocsPerSecond: result.applyDocsPerSecond,
    stageSeconds: result.stageSeconds,
    unsampledLayouts: result.unsampledLayouts,
  };
}
