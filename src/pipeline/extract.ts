import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  decideAbstention,
  findAbstainers,
  pseudoLabelsFromAgreement,
  scoreFunctions,
  selectFunctions,
  type FunctionScore,
} from '../aggregate/index.ts';
import {
  corpusFromDocuments,
  openCorpus,
  type Corpus,
  type CorpusDocument,
  type InputDocument,
} from '../corpus/index.ts';
import { extractDirect, type CellValue } from '../direct/index.ts';
import {
  addUsage,
  createModelClient,
  importBatchOutput,
  writeBatchFile,
  type ModelClient,
  type ModelEvent,
  type ModelSettings,
  type UsageReport,
} from '../model/index.ts';
import { createSandbox, type Outcome, type SandboxCounters } from '../sandbox/index.ts';
import { discoverAttributesBuiltin } from '../schema/builtin.ts';
import { discoverWithModel } from '../schema/model.ts';
import type { DiscoveredAttribute } from '../schema/names.ts';
import { synthesizeBuiltin } from '../synthesis/builtin/index.ts';
import { dedupeKey } from '../synthesis/code.ts';
import { synthesizeWithModel, type SynthesisFailure } from '../synthesis/model.ts';
import type { AttributeSpec, CandidateFunction } from '../synthesis/types.ts';
import { writeReport } from '../report/index.ts';
import { applyProgram } from './apply.ts';
import type { PipelineEvent, StageName } from './events.ts';
import type { Program, ProgramAttribute } from './program.ts';
import { writeProgram } from './program.ts';
import { ARTIFACTS, defaultRunDir, readArtifact, writeArtifact } from './run-dir.ts';
import { loadSample, pickSample } from './sample.ts';
import { filling, openRowSink, tableFormatOf, type ResultRow, type RowSink } from './table.ts';

/** Which synthesizer writes candidate functions: the model, the built-in rules, or both. */
export type SynthMode = 'llm' | 'builtin' | 'both';
/** The paper's three methods: model reads every document, best single function, or the ensemble. */
export type Method = 'direct' | 'code' | 'code+';

export interface ExtractOptions {
  /** A folder of documents, or documents in memory. */
  documents: string | Iterable<InputDocument>;
  /** Attributes to extract (closed IE); omit to discover them from the sample (open IE). */
  attributes?: Array<string | AttributeSpec>;
  /** The model to use; null or absent runs without a model (built-in synthesizer only). */
  model?: ModelSettings | null;
  /** Default: 'both' with a model, 'builtin' without; 'llm' reproduces the paper's method. */
  synth?: SynthMode;
  /** Default 'code+'. */
  method?: Method;
  /** How code+ combines votes: 'ws' label model (default) or 'mv' majority vote. */
  aggregation?: 'ws' | 'mv';
  /** Documents shown to the model (default 10). */
  sampleSize?: number;
  /** Seed for sampling (default 0). */
  seed?: number;
  /** Candidate functions the model is asked for per attribute (default 20). */
  functionsPerAttribute?: number;
  /** Functions kept per attribute (default 10). */
  topK?: number;
  /** Functions scoring under this F1 on the sample are dropped (default 0.5). */
  minF1?: number;
  /** Most attributes kept by open IE (default 20). */
  maxAttributes?: number;
  /** Chunk budget in characters for prompts (default 3000). */
  chunkChars?: number;
  /** Run directory (default `.evaporate/runs/<timestamp>`); an existing one is resumed. */
  runDir?: string;
  /** Also write the table here (.csv, .jsonl or .json). */
  out?: string;
  /** Model-call cache (default `cache/` in the run directory); runs that share one never pay twice for a call. */
  cacheDir?: string;
  include?: string[];
  exclude?: string[];
  /** Skip files larger than this (default 20 MB). */
  maxBytes?: number;
  /** Per function per document (default 100 ms). */
  timeoutMs?: number;
  /** Isolates in the sandbox pool (default one per core). */
  isolates?: number;
  /** Answer model calls from the cache only and write the rest to this OpenAI Batch API input file. */
  batchExport?: string;
  /** OpenAI Batch API output file(s) to load into the cache before running. */
  batchImport?: string[];
  onEvent?: (event: PipelineEvent) => void;
  /** Write report.html into the run directory at the end (default true). */
  report?: boolean;
  /** Streams each result row as the apply stage produces it. */
  onRow?: (row: ResultRow) => void | Promise<void>;
  signal?: AbortSignal;
}

export interface AttributeSummary {
  name: string;
  /** Share of rows with a value. */
  coverage: number;
  meanConfidence: number;
  functionsKept: number;
  keptByOrigin: Record<string, number>;
  candidates: number;
}

export interface ExtractResult {
  runDir: string;
  method: Method;
  synthesizer: 'model' | 'builtin' | 'model+builtin' | 'none';
  attributes: AttributeSpec[];
  rows: number;
  tablePath: string;
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
}

/** The run stopped because model answers are needed that only a batch file can bring. */
export class BatchPendingError extends Error {
  override name = 'BatchPendingError';
  readonly file: string;
  readonly requests: number;
  readonly runDir: string;
  constructor(file: string, requests: number, runDir: string) {
    super(
      `${requests} model request(s) are waiting in ${file}. Submit it to the OpenAI Batch API (or answer it another way), ` +
        `then continue with: evaporate extract --resume ${runDir} --batch-import <output.jsonl>`,
    );
    this.file = file;
    this.requests = requests;
    this.runDir = runDir;
  }
}

export class ExtractError extends Error {
  override name = 'ExtractError';
}

interface Candidates {
  candidates: CandidateFunction[];
  failures: SynthesisFailure[];
  duplicates: number;
}

type SampleVotes = Record<string, Record<string, Record<string, Outcome>>>; // attribute -> doc -> function -> outcome
type PseudoLabels = Record<string, Record<string, CellValue>>; // attribute -> doc -> value

interface Scores {
  attributes: Record<
    string,
    {
      abstainOnEmpty: boolean;
      /** Kept functions whose empty output abstains although empty outputs are votes (they fire on part of the sample only). */
      abstainers: string[];
      pseudoLabelSource: 'model' | 'agreement';
      scores: FunctionScore[];
      kept: string[];
      dropped: { id: string; reason: string }[];
    }
  >;
}

/** Run the whole method over a corpus and write the table, the program and the usage into the run directory. */
export async function extract(options: ExtractOptions): Promise<ExtractResult> {
  const runDir = resolve(options.runDir ?? defaultRunDir());
  const emit = options.onEvent ?? (() => {});
  const model = options.model ?? null;
  const method = options.method ?? 'code+';
  // With a model, the built-in candidates come free (no tokens) and are scored against the model's
  // pseudo-labels like the model's own; 'llm' alone is the paper's method.
  const synth = options.synth ?? (model ? 'both' : 'builtin');
  if (model === null && (synth !== 'builtin' || method === 'direct')) {
    throw new ExtractError(
      method === 'direct'
        ? 'The direct method needs a model: set --model (or EVAPORATE_MODEL) and, for a local server, --base-url.'
        : `--synth ${synth} needs a model: set --model (or EVAPORATE_MODEL), or use --synth builtin.`,
    );
  }
  if (options.out) tableFormatOf(options.out); // an unknown table format fails now, not after the model was paid
  const stageSeconds: Partial<Record<StageName, number>> = {};
  const timed = async <T>(stage: StageName, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    emit({ type: 'stage', stage, status: 'start' });
    const value = await work();
    stageSeconds[stage] = (stageSeconds[stage] ?? 0) + (performance.now() - started) / 1000;
    emit({ type: 'stage', stage, status: 'done' });
    return value;
  };
  // Once a stage could not finish (failed or pending requests), the stages built on it are not saved either:
  // a resumed run recomputes them from the completed input.
  let upstreamIncomplete = false;
  /** A stage whose output is saved: a rerun reads it back instead of recomputing. */
  const saved = async <T>(stage: StageName, file: string, compute: () => Promise<{ value: T; complete: boolean }>): Promise<T> => {
    const existing = upstreamIncomplete ? undefined : await readArtifact<T>(runDir, file);
    if (existing !== undefined) {
      emit({ type: 'stage', stage, status: 'resumed', detail: file });
      return existing;
    }
    const { value, complete } = await timed(stage, compute);
    if (complete && !upstreamIncomplete) await writeArtifact(runDir, file, value);
    else upstreamIncomplete = true;
    return value;
  };

  const corpus = typeof options.documents === 'string'
    ? await openCorpus(options.documents, { include: options.include, exclude: options.exclude, maxBytes: options.maxBytes })
    : corpusFromDocuments(options.documents);
  if (corpus.documents.length === 0) {
    const skipped = corpus.skipped.length ? ` (${describeSkips(corpus.skipped)})` : '';
    throw new ExtractError(`No documents found in ${typeof options.documents === 'string' ? options.documents : 'the input'}${skipped}. Check the folder and the --include/--exclude patterns.`);
  }
  // Created only once there is something to run, so a run that fails to start leaves nothing behind.
  await mkdir(runDir, { recursive: true });
  // The run's clock: what Date.now() says inside the sandbox, so functions that read it give the same output
  // in this run, when it is resumed, and when its program is applied later.
  const record = runRecord(options, method, synth);
  const earlier = await readArtifact<ReturnType<typeof runRecord> & { startedAt?: number }>(runDir, ARTIFACTS.run);
  if (earlier !== undefined) {
    const changed = changedSettings(earlier, record);
    if (changed.length > 0) {
      throw new ExtractError(
        `${runDir} holds a run with other settings (${changed.join(', ')}); its saved stages would not match. ` +
          `Use a new --run-dir, or continue that run as it was with --resume ${runDir}.`,
      );
    }
  }
  const startedAt = earlier?.startedAt ?? Date.now();
  await writeArtifact(runDir, ARTIFACTS.run, { ...record, startedAt });
  // What earlier processes of this run spent; this process's usage is added to it, not written over it.
  const earlierUsage = await readArtifact<UsageReport>(runDir, ARTIFACTS.usage);
  const usageSoFar = (usage: UsageReport) => (earlierUsage ? addUsage(earlierUsage, usage) : usage);
  emit({ type: 'stage', stage: 'documents', status: 'done', detail: `${corpus.documents.length} documents, ${corpus.skipped.length} skipped` });
  const saveListing = () => writeArtifact(runDir, ARTIFACTS.documents, { root: corpus.root, documents: corpus.documents.length, skipped: corpus.skipped });
  await saveListing();

  const cacheDir = resolve(options.cacheDir ?? join(runDir, ARTIFACTS.cache));
  for (const file of options.batchImport ?? []) {
    if (!existsSync(file)) throw new ExtractError(`Batch output file not found: ${file}. Download the batch's output file and pass its path.`);
    const imported = await importBatchOutput(file, cacheDir);
    emit({ type: 'notice', message: `Imported ${imported.imported} batch answer(s) from ${file}${imported.failed ? `, ${imported.failed} failed` : ''}` });
  }
  const onModelEvent = (event: ModelEvent) => {
    emit({ type: 'model', event });
    if (event.type !== 'answered' || event.cached || client === null) return;
    const { promptTokens, completionTokens, costUsd } = client.usage().total;
    emit({ type: 'usage', promptTokens, completionTokens, costUsd });
  };
  const client: ModelClient | null = model
    ? stoppable(createModelClient(model, { cacheDir, mode: options.batchExport ? 'batch' : 'live', onEvent: onModelEvent }), options.signal)
    : null;
  const stopIfPending = async () => {
    if (client === null || options.batchExport === undefined) return;
    const pending = client.pending();
    if (pending.length === 0) return;
    await writeBatchFile(options.batchExport, pending);
    await writeArtifact(runDir, ARTIFACTS.usage, usageSoFar(client.usage()));
    throw new BatchPendingError(options.batchExport, pending.length, runDir);
  };

  // Sample: a seeded order over all documents; the first ones that load are the sample.
  const sampleIds = await saved('sample', ARTIFACTS.sample, async () => {
    const ids = (await pickSample(corpus, options.sampleSize ?? 10, options.seed ?? 0)).map((doc) => doc.id);
    return { value: ids, complete: ids.length > 0 };
  });
  const sample = await loadSample(corpus, sampleIds);
  if (sample.length === 0) {
    await saveListing();
    throw new ExtractError(`None of the documents could be read (${describeSkips(corpus.skipped)}); see documents.json.`);
  }

  const attributes = await saved('schema', ARTIFACTS.schema, async () => {
    if (options.attributes?.length) return { value: options.attributes.map(toSpec), complete: true };
    let discovered: DiscoveredAttribute[];
    let failedRequests = 0;
    if (client && synth !== 'builtin') {
      ({ attributes: discovered, failedRequests } = await discoverWithModel(sample, client, { max: options.maxAttributes ?? 20, chunkChars: options.chunkChars }));
      if (failedRequests > 0) emit({ type: 'notice', message: `${failedRequests} attribute-discovery request(s) failed; a resumed run asks again` });
    } else {
      discovered = discoverAttributesBuiltin(sample, { max: options.maxAttributes ?? 20 });
    }
    // Saved only when whole: a rerun asks again for what failed (answers already received come from the cache).
    const complete = discovered.length > 0 && failedRequests === 0 && (client === null || client.pending().length === 0);
    return { value: discovered.map((attribute) => ({ name: attribute.name })), complete };
  });
  await stopIfPending();
  if (attributes.length === 0) throw new ExtractError('No attributes found in the sample (see the notices above). Name them with --attributes or --schema.');
  emit({ type: 'notice', message: `Attributes: ${attributes.map((a) => a.name).join(', ')}` });

  let result: Omit<ExtractResult, 'stageSeconds'>;
  if (method === 'direct') {
    result = await runDirect(corpus, attributes, client as ModelClient, runDir, options, timed, stopIfPending, usageSoFar);
  } else {
    const useModel = client !== null && synth !== 'builtin';
    // Pseudo-labels first: synthesis shows the model the chunk where it found each value.
    const pseudoFromModel = useModel
      ? await saved('pseudo-labels', ARTIFACTS.pseudoLabels, () => modelPseudoLabels(sample, attributes, client, options.chunkChars))
      : null;
    await stopIfPending();
    const candidates = await saved('synthesis', ARTIFACTS.candidates, () => synthesize(sample, attributes, synth, client, pseudoFromModel, options));
    await stopIfPending();

    const sampleVotes = await saved('sample-votes', ARTIFACTS.sampleVotes, async () => ({
      value: await voteOnSample(candidates.candidates, sample, attributes, startedAt, options),
      complete: true,
    }));
    const scores = await saved('scoring', ARTIFACTS.scores, async () => ({
      value: score(attributes, candidates.candidates, sampleVotes, pseudoFromModel, method, options),
      complete: true,
    }));
    const program = { ...buildProgram(attributes, candidates.candidates, scores, method, options.aggregation ?? 'ws'), now: startedAt };
    result = await runApply(program, corpus, attributes, runDir, options, timed, client, candidates, usageSoFar);
    result.synthesizer = synth === 'both' ? 'model+builtin' : synth === 'llm' ? 'model' : 'builtin';
  }
  const full: ExtractResult = { ...result, stageSeconds };
  await saveListing(); // loading may have skipped more files (binary, unreadable) since the listing
  await writeArtifact(runDir, ARTIFACTS.summary, summaryRecord(full));
  if (options.report ?? true) await writeRunReport(runDir, emit);
  return full;
}

type Timed = <T>(stage: StageName, work: () => Promise<T>) => Promise<T>;

/** The review page; the table is already written, so a failure here is reported, not fatal. */
export async function writeRunReport(runDir: string, emit: (event: PipelineEvent) => void): Promise<void> {
  try {
    emit({ type: 'notice', message: `Report: ${await writeReport(runDir)}` });
  } catch (error) {
    emit({ type: 'notice', message: `Could not write report.html: ${(error as Error).message}` });
  }
}

/** The run's table (in the format of `out`, else CSV) and cells file, copied to `out` when done. */
function openRunSink(runDir: string, attributes: readonly AttributeSpec[], options: ExtractOptions): Promise<RowSink> {
  return openRowSink({
    tablePath: join(runDir, `table.${options.out ? tableFormatOf(options.out) : 'csv'}`),
    cellsPath: join(runDir, ARTIFACTS.cells),
    attributes: attributes.map((attribute) => attribute.name),
    ...(options.onRow ? { onRow: options.onRow } : {}),
    ...(options.out ? { copyTo: options.out } : {}),
  });
}

/**
 * A client whose calls throw once the run is stopped, so a stage in progress ends without saving a partial
 * output; answers already received are in the cache, and the resumed run picks them up.
 */
function stoppable(client: ModelClient, signal: AbortSignal | undefined): ModelClient {
  if (signal === undefined) return client;
  return {
    chat: async (stage, request) => {
      signal.throwIfAborted();
      const outcome = await client.chat(stage, request);
      signal.throwIfAborted();
      return outcome;
    },
    usage: () => client.usage(),
    pending: () => client.pending(),
    inFlight: () => client.inFlight(),
  };
}

// Settings that decide what the saved stages hold; the others (time limits, isolates, batch files, output
// path) may change between the processes of one run.
const STAGE_SETTINGS = ['attributes', 'aggregation', 'sampleSize', 'seed', 'functionsPerAttribute', 'topK', 'minF1', 'maxAttributes', 'chunkChars', 'include', 'exclude', 'maxBytes'] as const;

function changedSettings(earlier: ReturnType<typeof runRecord>, now: ReturnType<typeof runRecord>): string[] {
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  const changed: string[] = [];
  if (!same(earlier.documents, now.documents)) changed.push('documents');
  if (!same(earlier.model?.model, now.model?.model)) changed.push('model');
  if (!same(earlier.method, now.method)) changed.push('method');
  if (!same(earlier.synth, now.synth)) changed.push('synth');
  for (const key of STAGE_SETTINGS) if (!same(earlier.options?.[key], now.options[key])) changed.push(key);
  return changed;
}

/** Per attribute: rows with a value, and the sum of confidences (for the summary's coverage and mean confidence). */
function countCells(counts: Map<string, { values: number; confidence: number }>, row: ResultRow): void {
  for (const [name, cell] of Object.entries(row.cells)) {
    const entry = counts.get(name);
    if (entry === undefined) continue;
    if (cell.value !== null) entry.values++;
    entry.confidence += cell.confidence;
  }
}

function describeSkips(skipped: Corpus['skipped']): string {
  const shown = skipped.slice(0, 3).map((skip) => `${skip.id}: ${skip.reason}`).join(', ');
  return `${skipped.length} file(s) skipped: ${shown}${skipped.length > 3 ? ', ...' : ''}`;
}

function toSpec(attribute: string | AttributeSpec): AttributeSpec {
  return typeof attribute === 'string' ? { name: attribute } : attribute;
}

function runRecord(options: ExtractOptions, method: Method, synth: SynthMode) {
  const { documents, model, onEvent, onRow, signal, report, ...rest } = options;
  return {
    documents: typeof documents === 'string' ? resolve(documents) : '<in memory>',
    model: model ? { model: model.model, baseURL: model.baseURL ?? null } : null,
    method,
    synth,
    options: rest,
  };
}

async function modelPseudoLabels(
  sample: readonly CorpusDocument[],
  attributes: readonly AttributeSpec[],
  client: ModelClient,
  chunkChars: number | undefined,
): Promise<{ value: PseudoLabels; complete: boolean }> {
  const labels: PseudoLabels = Object.fromEntries(attributes.map((attribute) => [attribute.name, {}]));
  let complete = true;
  await Promise.all(
    sample.map(async (doc) => {
      const result = await extractDirect(doc, attributes, client, { stage: 'pseudo-labels', ...(chunkChars ? { chunkChars } : {}) });
      // Failed requests leave the stage unsaved, so a resumed run asks again; bad JSON is an answer, kept as such.
      if (result.failures.some((failure) => failure.reason !== 'bad-json')) complete = false;
      for (const [name, value] of Object.entries(result.values)) (labels[name] as Record<string, CellValue>)[doc.id] = value;
    }),
  );
  return { value: labels, complete };
}

async function synthesize(
  sample: readonly CorpusDocument[],
  attributes: readonly AttributeSpec[],
  synth: SynthMode,
  client: ModelClient | null,
  pseudoLabels: PseudoLabels | null,
  options: ExtractOptions,
): Promise<{ value: Candidates; complete: boolean }> {
  const all: CandidateFunction[] = [];
  const failures: SynthesisFailure[] = [];
  for (const attribute of attributes) {
    if (synth !== 'llm') all.push(...synthesizeBuiltin(attribute, [...sample]));
  }
  if (client && synth !== 'builtin') {
    const perAttribute = await Promise.all(
      attributes.map((attribute) =>
        synthesizeWithModel(attribute, sample, client, {
          count: options.functionsPerAttribute ?? 20,
          ...(pseudoLabels ? { hints: new Map(Object.entries(pseudoLabels[attribute.name] ?? {})) } : {}),
          ...(options.chunkChars ? { chunkChars: options.chunkChars } : {}),
        }),
      ),
    );
    for (const result of perAttribute) {
      all.push(...result.candidates);
      failures.push(...result.failures);
    }
  }
  // Exact duplicates cost a sandbox run and count twice in a vote; keep the first of each.
  const seen = new Set<string>();
  const candidates = all.filter((candidate) => {
    const key = `${candidate.attribute}\u0000${dedupeKey(candidate.source)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return {
    value: { candidates, failures, duplicates: all.length - candidates.length },
    complete: !failures.some((failure) => failure.reason === 'pending' || failure.reason === 'request-failed'),
  };
}

async function voteOnSample(
  candidates: readonly CandidateFunction[],
  sample: readonly CorpusDocument[],
  attributes: readonly AttributeSpec[],
  now: number,
  options: ExtractOptions,
): Promise<{ votes: SampleVotes; rejected: { id: string; error: string }[] }> {
  const votes: SampleVotes = Object.fromEntries(attributes.map((attribute) => [attribute.name, {}]));
  const attributeOf = new Map(candidates.map((candidate) => [candidate.id, candidate.attribute]));
  const sandbox = await createSandbox(
    candidates.map((candidate) => ({ id: candidate.id, source: candidate.source })),
    { now, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}), ...(options.isolates ? { isolates: options.isolates } : {}) },
  );
  try {
    for await (const result of sandbox.run(sample)) {
      for (const [id, outcome] of Object.entries(result.outcomes)) {
        const byDoc = votes[attributeOf.get(id) as string] as Record<string, Record<string, Outcome>>;
        (byDoc[result.docId] ??= {})[id] = outcome;
      }
    }
    return { votes, rejected: sandbox.rejected };
  } finally {
    await sandbox.close();
  }
}

function score(
  attributes: readonly AttributeSpec[],
  candidates: readonly CandidateFunction[],
  sampleVotes: { votes: SampleVotes; rejected: { id: string; error: string }[] },
  pseudoFromModel: PseudoLabels | null,
  method: Method,
  options: ExtractOptions,
): Scores {
  const rejected = new Map(sampleVotes.rejected.map((entry) => [entry.id, entry.error]));
  const result: Scores = { attributes: {} };
  for (const attribute of attributes) {
    const votes = new Map(Object.entries(sampleVotes.votes[attribute.name] ?? {}));
    const labels = pseudoFromModel
      ? new Map(Object.entries(pseudoFromModel[attribute.name] ?? {}))
      : pseudoLabelsFromAgreement(votes);
    const abstainOnEmpty = decideAbstention(labels);
    const abstainers = abstainOnEmpty ? new Set<string>() : findAbstainers(votes, labels);
    const scores = scoreFunctions(votes, labels, { abstainOnEmpty, abstainers }).filter((entry) => !rejected.has(entry.id));
    const selection = selectFunctions(scores, { minF1: options.minF1 ?? 0.5, topK: method === 'code' ? 1 : (options.topK ?? 10) });
    const compileFailures = candidates
      .filter((candidate) => candidate.attribute === attribute.name && rejected.has(candidate.id))
      .map((candidate) => ({ id: candidate.id, reason: `does not compile: ${rejected.get(candidate.id)}` }));
    const kept = selection.kept.map((entry) => entry.id);
    result.attributes[attribute.name] = {
      abstainOnEmpty,
      abstainers: kept.filter((id) => abstainers.has(id)),
      pseudoLabelSource: pseudoFromModel ? 'model' : 'agreement',
      scores,
      kept,
      dropped: [...selection.dropped, ...compileFailures],
    };
  }
  return result;
}

function buildProgram(
  attributes: readonly AttributeSpec[],
  candidates: readonly CandidateFunction[],
  scores: Scores,
  method: Method,
  aggregation: 'ws' | 'mv',
): Program {
  const byId = new Map(candidates.map((candidate) => [candidate.id, candidate]));
  return {
    version: 1,
    method: method === 'code' ? 'code' : aggregation,
    attributes: attributes.map((attribute): ProgramAttribute => {
      const entry = scores.attributes[attribute.name];
      const f1 = new Map((entry?.scores ?? []).map((s) => [s.id, s.f1]));
      return {
        name: attribute.name,
        ...(attribute.description ? { description: attribute.description } : {}),
        ...(attribute.form ? { form: attribute.form } : {}),
        abstainOnEmpty: entry?.abstainOnEmpty ?? true,
        ...(entry?.abstainers.length ? { abstainers: entry.abstainers } : {}),
        functions: (entry?.kept ?? []).map((id) => {
          const candidate = byId.get(id) as CandidateFunction;
          return {
            id,
            source: candidate.source,
            origin: candidate.origin,
            strategy: candidate.strategy,
            ...(candidate.sampleDocs ? { sampleDocs: candidate.sampleDocs } : {}),
            sampleF1: Math.round((f1.get(id) ?? 0) * 10_000) / 10_000,
          };
        }),
      };
    }),
  };
}

async function runApply(
  program: Program,
  corpus: Corpus,
  attributes: AttributeSpec[],
  runDir: string,
  options: ExtractOptions,
  timed: Timed,
  client: ModelClient | null,
  candidates: Candidates,
  usageSoFar: (usage: UsageReport) => UsageReport,
): Promise<Omit<ExtractResult, 'stageSeconds'>> {
  const sink = await openRunSink(runDir, attributes, options);
  const coverage = new Map(attributes.map((attribute) => [attribute.name, { values: 0, confidence: 0 }]));
  const started = performance.now();
  const applied = await filling(sink, () =>
    timed('apply', () =>
      applyProgram(
        program,
        corpus,
        async (row) => {
          countCells(coverage, row);
          await sink.write(row);
        },
        {
          ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
          ...(options.isolates ? { isolates: options.isolates } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
          onDocument: (done, total) => options.onEvent?.({ type: 'progress', stage: 'apply', done, total }),
        },
      ),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const programPath = join(runDir, ARTIFACTS.program);
  await writeProgram(programPath, applied.program);
  const usage = client ? usageSoFar(client.usage()) : null;
  if (usage) await writeArtifact(runDir, ARTIFACTS.usage, usage);
  const rows = applied.rows;
  return {
    runDir,
    method: program.method === 'code' ? 'code' : 'code+',
    synthesizer: 'none',
    attributes,
    rows,
    tablePath: sink.tablePath,
    cellsPath: sink.cellsPath,
    programPath,
    program: applied.program,
    usage,
    sandbox: applied.counters,
    perAttribute: attributes.map((attribute) => {
      const entry = coverage.get(attribute.name) as { values: number; confidence: number };
      const kept = program.attributes.find((a) => a.name === attribute.name)?.functions ?? [];
      const keptByOrigin: Record<string, number> = {};
      for (const fn of kept) keptByOrigin[fn.origin ?? 'user'] = (keptByOrigin[fn.origin ?? 'user'] ?? 0) + 1;
      return {
        name: attribute.name,
        coverage: rows ? entry.values / rows : 0,
        meanConfidence: rows ? entry.confidence / rows : 0,
        functionsKept: kept.length,
        keptByOrigin,
        candidates: candidates.candidates.filter((candidate) => candidate.attribute === attribute.name).length,
      };
    }),
    skipped: corpus.skipped,
    applyDocsPerSecond: seconds > 0 ? rows / seconds : 0,
  };
}

async function runDirect(
  corpus: Corpus,
  attributes: AttributeSpec[],
  client: ModelClient,
  runDir: string,
  options: ExtractOptions,
  timed: Timed,
  stopIfPending: () => Promise<void>,
  usageSoFar: (usage: UsageReport) => UsageReport,
): Promise<Omit<ExtractResult, 'stageSeconds'>> {
  const sink = await openRunSink(runDir, attributes, options);
  const coverage = new Map(attributes.map((attribute) => [attribute.name, { values: 0, confidence: 0 }]));
  const started = performance.now();
  let rows = 0;
  await filling(sink, async () => {
    await timed('direct', async () => {
      // Keep enough documents in flight to fill the model's concurrency, and write rows in corpus order.
      const window: Promise<ResultRow>[] = [];
      const flush = async () => {
        const row = await (window.shift() as Promise<ResultRow>);
        countCells(coverage, row);
        await sink.write(row);
        options.onEvent?.({ type: 'progress', stage: 'direct', done: ++rows, total: corpus.documents.length });
      };
      for await (const doc of corpus.views()) {
        if (options.signal?.aborted) break;
        const row = directRow(doc, attributes, client, options.chunkChars);
        // Awaited in order by flush(); until then a rejection (a stop) must not count as unhandled.
        row.catch(() => {});
        window.push(row);
        if (window.length >= 32) await flush();
      }
      while (window.length > 0) await flush();
      options.signal?.throwIfAborted();
    });
    await stopIfPending();
  });
  const seconds = (performance.now() - started) / 1000;
  const usage = usageSoFar(client.usage());
  await writeArtifact(runDir, ARTIFACTS.usage, usage);
  return {
    runDir,
    method: 'direct',
    synthesizer: 'none',
    attributes,
    rows,
    tablePath: sink.tablePath,
    cellsPath: sink.cellsPath,
    programPath: null,
    program: null,
    usage,
    sandbox: null,
    perAttribute: attributes.map((attribute) => ({
      name: attribute.name,
      coverage: rows ? (coverage.get(attribute.name)?.values ?? 0) / rows : 0,
      meanConfidence: rows ? (coverage.get(attribute.name)?.confidence ?? 0) / rows : 0,
      functionsKept: 0,
      keptByOrigin: {},
      candidates: 0,
    })),
    skipped: corpus.skipped,
    applyDocsPerSecond: seconds > 0 ? rows / seconds : 0,
  };
}

async function directRow(doc: CorpusDocument, attributes: readonly AttributeSpec[], client: ModelClient, chunkChars?: number): Promise<ResultRow> {
  const result = await extractDirect(doc, attributes, client, { stage: 'direct', ...(chunkChars ? { chunkChars } : {}) });
  const cells: ResultRow['cells'] = {};
  for (const attribute of attributes) {
    const value = result.values[attribute.name] ?? null;
    const spans = (value ?? []).flatMap((item): [number, number][] => {
      const start = doc.view.indexOf(item);
      return start < 0 ? [] : [[start, start + item.length]];
    });
    const answered = attribute.name in result.values;
    cells[attribute.name] = { value, confidence: answered ? 1 : 0, voters: answered ? ['direct'] : [], spans, candidates: [] };
  }
  return { doc: doc.id, cells };
}

function summaryRecord(result: ExtractResult) {
  return {
    runDir: result.runDir,
    method: result.method,
    synthesizer: result.synthesizer,
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
  };
}
