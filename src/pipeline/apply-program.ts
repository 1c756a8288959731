import { aggregateDocument, DEFAULT_ACCURACY, DEFAULT_CLASSES_PER_DOC, fitLabelModel, type LabelModel } from '../aggregate/index.ts';
import type { Corpus, CorpusDocument } from '../corpus/index.ts';
import { createSandbox, type Outcome, type SandboxCounters } from '../sandbox/index.ts';
import type { CellCandidate, Program, ProgramAttribute, ResultCell, ResultRow } from '../run/index.ts';

export interface ApplyOptions {
  /** Per function per document, in milliseconds (default 100). */
  timeoutMs?: number;
  /** Isolates in the pool (default: one per core). */
  isolates?: number;
  /** Documents whose votes the label model is fitted on, when the program has no accuracies yet (default 2000). */
  fitDocuments?: number;
  /** Called after each document. */
  onDocument?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface ApplySummary {
  /** The program with the label model's accuracies filled in (unchanged when it already had them). */
  program: Program;
  rows: number;
  counters: SandboxCounters;
  rejected: { id: string; error: string }[];
}

/** A document's votes from every function, with where each distinct value occurs in its view. */
interface DocumentVotes {
  doc: string;
  outcomes: Record<string, Outcome>;
  spans: Map<string, [number, number] | null>;
}

/**
 * Run a program's functions over a corpus in the sandbox and combine their votes per document. Rows come
 * out in corpus order. When the program has no accuracies, the label model is fitted on the votes of the
 * first `fitDocuments` documents (buffered, so memory stays bounded) and then applied to every document.
 */
export async function applyProgram(
  program: Program,
  corpus: Corpus,
  onRow: (row: ResultRow) => Promise<void> | void,
  options: ApplyOptions = {},
): Promise<ApplySummary> {
  const functions = program.attributes.flatMap((attribute) => attribute.functions.map((fn) => ({ id: fn.id, source: fn.source })));
  const sandbox = await createSandbox(functions, {
    ...(program.now !== undefined ? { now: program.now } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.isolates !== undefined ? { isolates: options.isolates } : {}),
  });
  const total = corpus.documents.length;
  const fitCount = needsFit(program) ? Math.min(options.fitDocuments ?? 2000, total) : 0;
  const buffered: DocumentVotes[] = [];
  let models: Map<string, LabelModel> | null = fitCount === 0 ? modelsFromProgram(program) : null;
  let rows = 0;
  const emit = async (votes: DocumentVotes) => {
    await onRow(aggregateRow(votes, program.attributes, models as Map<string, LabelModel>));
    rows++;
    options.onDocument?.(rows, total);
  };
  try {
    // The sandbox reports votes by document id; the spans of values need the view, kept until the votes arrive.
    const views = new Map<string, string>();
    for await (const votes of withSpans(sandbox.run(feed(corpus, views, options.signal)), views)) {
      if (models !== null) {
        await emit(votes);
        continue;
      }
      buffered.push(votes);
      if (buffered.length < fitCount) continue;
      models = fitModels(program, buffered);
      for (const held of buffered.splice(0)) await emit(held);
    }
    options.signal?.throwIfAborted();
    if (models === null) {
      models = fitModels(program, buffered);
      for (const held of buffered.splice(0)) await emit(held);
    }
    return { program: withAccuracies(program, models), rows, counters: sandbox.counters(), rejected: sandbox.rejected };
  } finally {
    await sandbox.close();
  }
}

async function* feed(corpus: Corpus, views: Map<string, string>, signal?: AbortSignal): AsyncGenerator<CorpusDocument> {
  for await (const doc of corpus.views()) {
    if (signal?.aborted) return;
    views.set(doc.id, doc.view);
    yield doc;
  }
}

/** Attach to each document's votes where its values occur in its view (the sandbox keeps corpus order). */
async function* withSpans(
  results: AsyncIterable<{ docId: string; outcomes: Record<string, Outcome> }>,
  views: Map<string, string>,
): AsyncGenerator<DocumentVotes> {
  for await (const result of results) {
    const view = views.get(result.docId) ?? '';
    views.delete(result.docId);
    yield { doc: result.docId, outcomes: result.outcomes, spans: spansOf(view, result.outcomes) };
  }
}

function spansOf(view: string, outcomes: Record<string, Outcome>): Map<string, [number, number] | null> {
  const spans = new Map<string, [number, number] | null>();
  const lower = view.toLowerCase();
  for (const outcome of Object.values(outcomes)) {
    if (outcome.kind !== 'value') continue;
    for (const value of outcome.value) {
      if (spans.has(value)) continue;
      let start = view.indexOf(value);
      if (start < 0) start = lower.indexOf(value.toLowerCase());
      spans.set(value, start < 0 ? null : [start, start + value.length]);
    }
  }
  return spans;
}

function needsFit(program: Program): boolean {
  return program.attributes.some((attribute) => attribute.functions.some((fn) => fn.accuracy === undefined));
}

/** The program's functions are in rank order, best first, which is also what `code` picks from. */
function labelModelFor(program: Program, attribute: ProgramAttribute, accuracies: Record<string, number>): LabelModel {
  const functionIds = attribute.functions.map((fn) => fn.id);
  return {
    method: program.method ?? 'ws',
    functionIds,
    accuracies,
    abstainOnEmpty: attribute.abstainOnEmpty ?? true,
    ...(attribute.abstainers?.length ? { abstainers: attribute.abstainers } : {}),
    classesPerDoc: DEFAULT_CLASSES_PER_DOC,
    ...(functionIds[0] !== undefined ? { best: functionIds[0] } : {}),
  };
}

function modelsFromProgram(program: Program): Map<string, LabelModel> {
  return new Map(
    program.attributes.map((attribute) => [
      attribute.name,
      labelModelFor(program, attribute, Object.fromEntries(attribute.functions.map((fn) => [fn.id, fn.accuracy ?? DEFAULT_ACCURACY]))),
    ]),
  );
}

function fitModels(program: Program, votes: readonly DocumentVotes[]): Map<string, LabelModel> {
  return new Map(
    program.attributes.map((attribute) => {
      const functionIds = attribute.functions.map((fn) => fn.id);
      const priors = Object.fromEntries(attribute.functions.filter((fn) => fn.sampleF1 !== undefined).map((fn) => [fn.id, fn.sampleF1 as number]));
      const model = fitLabelModel(
        votes.map((entry) => pick(entry.outcomes, functionIds)),
        {
          method: program.method ?? 'ws',
          functionIds,
          abstainOnEmpty: attribute.abstainOnEmpty ?? true,
          ...(attribute.abstainers?.length ? { abstainers: attribute.abstainers } : {}),
          ...(Object.keys(priors).length > 0 ? { priorAccuracies: priors } : {}),
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

function aggregateRow(votes: DocumentVotes, attributes: readonly ProgramAttribute[], models: Map<string, LabelModel>): ResultRow {
  const cells: Record<string, ResultCell> = {};
  for (const attribute of attributes) {
    const outcomes = pick(votes.outcomes, attribute.functions.map((fn) => fn.id));
    const result = aggregateDocument(outcomes, models.get(attribute.name) as LabelModel);
    const spans = (result.value ?? []).map((value) => votes.spans.get(value)).filter((span): span is [number, number] => Array.isArray(span));
    cells[attribute.name] = {
      value: result.value,
      confidence: round(result.confidence),
      voters: result.voters,
      spans,
      candidates: result.candidates.map((candidate): CellCandidate => ({ ...candidate, probability: round(candidate.probability) })),
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
