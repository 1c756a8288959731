import { aggregateDocument, DEFAULT_ACCURACY, DEFAULT_CLASSES_PER_DOC, fitLabelModel, type AggregationMethod, type LabelModel } from '../aggregate/index.ts';
import { seededSample, type Corpus, type CorpusDocument, type DocumentRef, type ViewThreads } from '../corpus/index.ts';
import { nearestLayout, sampleLayoutsOf, type SampleLayout } from './sample-layouts.ts';
import { countersSince, createSandbox, type Outcome, type Sandbox, type SandboxCounters } from '../sandbox/index.ts';
import { availableParallelism } from 'node:os';
import { boxAt, pageAt, spansOf } from './spans.ts';
import type { CellCandidate, Program, ProgramAttribute, ResultCell, ResultRow } from '../run/index.ts';

export interface ApplyOptions {
  /** Per function per document, in milliseconds (default 100). */
  timeoutMs?: number;
  /** Isolates in the pool (default: one per core). */
  isolates?: number;
  /** Threads that read documents and build their views, beside the isolates (default: one per core; 1 = this thread). */
  viewThreads?: number;
  /**
   * Documents whose votes the label model is fitted on, when the program has no accuracies yet (default 500),
   * a seeded sample spread over the corpus; rows stream once it is fitted.
   */
  fitDocuments?: number;
  /** Called after each document's functions ran (the fitting sample's first). */
  onDocument?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /**
   * A sandbox with the program's functions to use instead of starting one (a queue worker keeps one across the
   * shards of a run, warm); the caller closes it. Counters in the summary are then this call's share.
   */
  sandbox?: Sandbox;
  /** View threads to use instead of starting some (kept warm by a queue worker); the caller closes them. */
  viewPool?: ViewThreads;
}

export interface ApplySummary {
  /** Documents whose layout resembles none of the sample's (their cells say so); 0 when the program has no layouts. */
  unsampledLayouts: number;
  /** The program with the accuracies the label model estimated, when it was fitted; else unchanged. */
  program: Program;
  rows: number;
  counters: SandboxCounters;
  rejected: { id: string; error: string }[];
}

/** A document's votes from every function, with where each distinct value occurs in its view. */
interface DocumentResult {
  doc: string;
  outcomes: Record<string, Outcome>;
  spans: Map<string, [number, number] | null>;
  /** Set when the program knows its sample's layouts and this document resembles none of them. */
  unsampled?: string;
  /** The sample layout it resembles most (when it resembles one and the program names them). */
  layout?: string;
  /** A PDF's page starts in its view, and its lines' boxes. */
  pages?: number[];
  lines?: number[];
}

/**
 * Run a program's functions over a corpus in the sandbox and combine their votes per document. Rows come
 * out in corpus order, as they are computed. A `ws` program without accuracies has its label model fitted first,
 * on a seeded sample of `fitDocuments` spread over the corpus (so ids clustered by site or template do not bias
 * the fit). A program with neither method nor accuracies (names and sources only) takes a majority vote.
 */
export async function applyProgram(
  program: Program,
  corpus: Corpus,
  onRow: (row: ResultRow) => Promise<void> | void,
  options: ApplyOptions = {},
): Promise<ApplySummary> {
  const sandbox = options.sandbox ?? (await openSandbox(program, options));
  const before = sandbox.counters();
  const method = methodOf(program);
  const total = corpus.documents.length;
  const fitting = needsFit(program);
  let applied = 0;
  let rows = 0;
  let unsampledLayouts = 0;
  const layouts = sampleLayoutsOf(program);
  const counted = (result: DocumentResult): DocumentResult => {
    options.onDocument?.(++applied, total);
    return result;
  };
  try {
    // The fit comes first, on a seeded sample spread over the corpus, so that rows can stream from the first
    // document on; the sample's votes are kept and reused in corpus order, so no document runs twice.
    const fitted = new Map<string, DocumentResult>();
    if (fitting) {
      for await (const result of run(sandbox, corpus, fitSample(program, corpus, options), options, layouts)) fitted.set(result.doc, counted(result));
      options.signal?.throwIfAborted();
    }
    // Rows are aggregated with the accuracies as program.json records them (rounded), so applying the saved program
    // again, here or on queue workers, gives the very same table.
    const applying = fitting ? withAccuracies(program, fitModels(program, [...fitted.values()])) : program;
    const models = modelsFromProgram(applying, method);
    const rest = fitted.size === 0 ? undefined : corpus.documents.filter((ref) => !fitted.has(ref.id));
    const computed = async function* () {
      for await (const result of run(sandbox, corpus, rest, options, layouts)) yield counted(result);
    };
    for await (const votes of inCorpusOrder(corpus.documents, fitted, computed())) {
      if (votes.unsampled) unsampledLayouts++;
      await onRow(aggregateRow(votes, applying.attributes, models));
      rows++;
    }
    options.signal?.throwIfAborted();
    return { program: applying, rows, unsampledLayouts, counters: options.sandbox ? countersSince(before, sandbox.counters()) : sandbox.counters(), rejected: sandbox.rejected };
  } finally {
    if (!options.sandbox) await sandbox.close();
  }
}

/** A fitted program, and the rows of the documents it was fitted on (aggregated as {@link applyProgram} would). */
export interface FittedProgram {
  program: Program;
  /** By document id; empty when the program needed no fit. */
  rows: Map<string, ResultRow>;
  unsampledLayouts: number;
}

/**
 * The program with its label model fitted on the corpus (the same seeded sample {@link applyProgram} fits on),
 * ready to be applied shard by shard with no further fitting, with the fitting sample's rows so that they need not
 * be computed again; the program unchanged when it needs no fit.
 */
export async function fitProgram(program: Program, corpus: Corpus, options: ApplyOptions = {}): Promise<FittedProgram> {
  if (!needsFit(program)) return { program, rows: new Map(), unsampledLayouts: 0 };
  const sandbox = await openSandbox(program, options);
  try {
    const votes: DocumentResult[] = [];
    for await (const result of run(sandbox, corpus, fitSample(program, corpus, options), options, sampleLayoutsOf(program))) {
      votes.push(result);
      options.onDocument?.(votes.length, corpus.documents.length);
    }
    options.signal?.throwIfAborted();
    const fitted = withAccuracies(program, fitModels(program, votes));
    const models = modelsFromProgram(fitted, 'ws');
    return {
      program: fitted,
      rows: new Map(votes.map((result) => [result.doc, aggregateRow(result, fitted.attributes, models)])),
      unsampledLayouts: votes.filter((result) => result.unsampled).length,
    };
  } finally {
    await sandbox.close();
  }
}

/** A sandbox holding the program's functions, as apply starts it. */
export function openSandbox(program: Program, options: Pick<ApplyOptions, 'timeoutMs' | 'isolates'>): Promise<Sandbox> {
  const functions = program.attributes.flatMap((attribute) => attribute.functions.map((fn) => ({ id: fn.id, source: fn.source })));
  return createSandbox(functions, {
    ...(program.now !== undefined ? { now: program.now } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.isolates !== undefined ? { isolates: options.isolates } : {}),
  });
}

/** A `ws` program with a function whose accuracy is not known yet. */
function needsFit(program: Program): boolean {
  return methodOf(program) === 'ws' && program.attributes.some((attribute) => attribute.functions.some((fn) => fn.accuracy === undefined));
}

function fitSample(program: Program, corpus: Corpus, options: ApplyOptions): DocumentRef[] {
  const total = corpus.documents.length;
  return seededSample(corpus.documents, Math.min(total, options.fitDocuments ?? DEFAULT_FIT_DOCUMENTS), program.now ?? 0, (ref) => ref.id);
}

/** Documents the label model is fitted on, when the program has no accuracies yet. */
export const DEFAULT_FIT_DOCUMENTS = 500;

/** The kept results merged into the computed ones (both in corpus order), in corpus order. */
async function* inCorpusOrder(
  order: readonly DocumentRef[],
  kept: ReadonlyMap<string, DocumentResult>,
  computed: AsyncIterable<DocumentResult>,
): AsyncGenerator<DocumentResult> {
  const position = new Map(order.map((ref, index) => [ref.id, index]));
  const waiting = [...kept.values()].sort((a, b) => (position.get(a.doc) ?? 0) - (position.get(b.doc) ?? 0));
  let next = 0;
  for await (const result of computed) {
    const at = position.get(result.doc) ?? 0;
    while (next < waiting.length && (position.get(waiting[next]!.doc) ?? 0) < at) yield waiting[next++]!;
    yield result;
  }
  while (next < waiting.length) yield waiting[next++]!;
}

/** The program's aggregation: as it says, else the label model when it carries accuracies, else majority vote. */
function methodOf(program: Program): AggregationMethod {
  if (program.method !== undefined) return program.method;
  return program.attributes.some((attribute) => attribute.functions.some((fn) => fn.accuracy !== undefined)) ? 'ws' : 'mv';
}

/** Every function on the documents (all of the corpus when `refs` is undefined), with each value's span in its view. */
function run(sandbox: Sandbox, corpus: Corpus, refs: readonly DocumentRef[] | undefined, options: ApplyOptions, layouts: readonly SampleLayout[]): AsyncGenerator<DocumentResult> {
  // The sandbox reports votes by document id; the spans of values need the view, kept until the votes arrive.
  const views = new Map<string, CorpusDocument>();
  const docs = corpus.views(refs, { threads: options.viewThreads ?? availableParallelism(), layouts: layouts.length > 0, ...(options.viewPool ? { pool: options.viewPool } : {}) });
  return withSpans(sandbox.run(feed(docs, views, options.signal)), views, layouts);
}

async function* feed(docs: AsyncGenerator<CorpusDocument>, views: Map<string, CorpusDocument>, signal?: AbortSignal): AsyncGenerator<CorpusDocument> {
  for await (const doc of docs) {
    if (signal?.aborted) return;
    views.set(doc.id, doc);
    yield doc;
  }
}

/** Attach to each document's votes where its values occur in its view (the sandbox keeps corpus order). */
async function* withSpans(
  results: AsyncIterable<{ docId: string; outcomes: Record<string, Outcome> }>,
  views: Map<string, CorpusDocument>,
  layouts: readonly SampleLayout[],
): AsyncGenerator<DocumentResult> {
  for await (const result of results) {
    const doc = views.get(result.docId);
    views.delete(result.docId);
    const nearest = doc && layouts.length > 0 ? nearestLayout(doc, layouts) : undefined;
    yield {
      doc: result.docId,
      outcomes: result.outcomes,
      spans: spansOf(doc?.view ?? '', result.outcomes),
      ...(nearest?.unsampled ? { unsampled: nearest.unsampled } : {}),
      ...(nearest?.layout ? { layout: nearest.layout } : {}),
      ...(doc?.pages ? { pages: doc.pages } : {}),
      ...(doc?.lines ? { lines: doc.lines } : {}),
    };
  }
}

/** A function's outcome where the sample showed it wrong on the document's layout: it does not vote there. */
const SILENT: Outcome = { kind: 'error', error: 'disabled', message: 'not seen to work on this layout of the sample' };

/** The attribute's votes on a document, its functions in rank order, without those silent on the document's layout. */
function votesOf(result: DocumentResult, attribute: ProgramAttribute): Record<string, Outcome> {
  const picked = pick(result.outcomes, attribute.functions.map((fn) => fn.id));
  if (result.layout === undefined) return picked;
  for (const fn of attribute.functions) if (fn.silentOn?.includes(result.layout)) picked[fn.id] = SILENT;
  return picked;
}

/** Confidence of cells from a layout the sample never covered: halved, and said why. */
const UNSAMPLED_FACTOR = 0.5;

/** The program's functions are in rank order, best first, which is also what `code` picks from. */
function labelModelFor(method: AggregationMethod, attribute: ProgramAttribute, accuracies: Record<string, number>): LabelModel {
  const functionIds = attribute.functions.map((fn) => fn.id);
  return {
    method,
    functionIds,
    accuracies,
    abstainOnEmpty: attribute.abstainOnEmpty ?? true,
    ...(attribute.abstainers?.length ? { abstainers: attribute.abstainers } : {}),
    classesPerDoc: DEFAULT_CLASSES_PER_DOC,
    ...(attribute.multiple ? { multiple: true } : {}),
    ...(functionIds[0] !== undefined ? { best: functionIds[0] } : {}),
  };
}

function modelsFromProgram(program: Program, method: AggregationMethod): Map<string, LabelModel> {
  return new Map(
    program.attributes.map((attribute) => [
      attribute.name,
      labelModelFor(method, attribute, Object.fromEntries(attribute.functions.map((fn) => [fn.id, fn.accuracy ?? DEFAULT_ACCURACY]))),
    ]),
  );
}

function fitModels(program: Program, votes: readonly DocumentResult[]): Map<string, LabelModel> {
  return new Map(
    program.attributes.map((attribute) => {
      const functionIds = attribute.functions.map((fn) => fn.id);
      // Accuracy is the chance a vote is the right value, so the exact-match rate on the sample is its prior;
      // programs from before it was recorded fall back to token F1.
      const priors = Object.fromEntries(
        attribute.functions.flatMap((fn) => {
          const prior = fn.sampleExact ?? fn.sampleF1;
          return prior === undefined ? [] : [[fn.id, prior]];
        }),
      );
      const model = fitLabelModel(
        votes.map((entry) => votesOf(entry, attribute)),
        {
          method: 'ws',
          functionIds,
          abstainOnEmpty: attribute.abstainOnEmpty ?? true,
          ...(attribute.abstainers?.length ? { abstainers: attribute.abstainers } : {}),
          ...(Object.keys(priors).length > 0 ? { priorAccuracies: priors } : {}),
          ...(attribute.multiple ? { multiple: true } : {}),
        },
      );
      return [attribute.name, model];
    }),
  );
}

function withAccuracies(program: Program, models: Map<string, LabelModel>): Program {
  return {
    ...program,
    attributes: program.attributes.map((attribute) => {
      const accuracies = models.get(attribute.name)?.accuracies ?? {};
      return { ...attribute, functions: attribute.functions.map((fn) => ({ ...fn, accuracy: round(accuracies[fn.id] ?? fn.accuracy ?? DEFAULT_ACCURACY) })) };
    }),
  };
}

function aggregateRow(votes: DocumentResult, attributes: readonly ProgramAttribute[], models: Map<string, LabelModel>): ResultRow {
  const cells: Record<string, ResultCell> = {};
  for (const attribute of attributes) {
    if (attribute.functions.length === 0) {
      cells[attribute.name] = { value: null, confidence: 0, voters: [], spans: [], candidates: [], ...(attribute.note ? { note: attribute.note } : {}) };
      continue;
    }
    const result = aggregateDocument(votesOf(votes, attribute), models.get(attribute.name) as LabelModel);
    const spans = (result.value ?? []).map((value) => votes.spans.get(value)).filter((span): span is [number, number] => Array.isArray(span));
    const page = votes.pages && spans[0] ? pageAt(votes.pages, spans[0][0]) : undefined;
    const box = votes.lines && spans[0] ? boxAt(votes.lines, spans[0]) : undefined;
    cells[attribute.name] = {
      value: result.value,
      confidence: round(result.confidence * (votes.unsampled ? UNSAMPLED_FACTOR : 1)),
      voters: result.voters,
      spans,
      ...(page !== undefined ? { page } : {}),
      ...(box !== undefined ? { box } : {}),
      candidates: result.candidates.map((candidate): CellCandidate => ({ ...candidate, probability: round(candidate.probability) })),
      ...(votes.unsampled ? { note: votes.unsampled } : {}),
    };
  }
  return { doc: votes.doc, cells };
}

function pick(outcomes: Record<string, Outcome>, ids: readonly string[]): Record<string, Outcome> {
  const picked: Record<string, Outcome> = {};
  for (const id of ids) picked[id] = outcomes[id] ?? { kind: 'error', error: 'disabled' };
  return picked;
}

// Four decimals: stable files and diffs; finer digits carry no information here.
function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
