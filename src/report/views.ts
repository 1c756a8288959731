/**
 * Document views for the report, rebuilt from the corpus with the same loader the functions saw (so span
 * offsets line up). A small corpus is embedded whole; a large one as windows of context around each value,
 * so a 10,000-document report stays a few megabytes. `evaporate report --serve` fills in whole views on demand.
 */
import { availableParallelism } from 'node:os';
import { CorpusError, openCorpus, type Corpus, type CorpusDocument, type DocumentRef } from '../corpus/index.ts';
import type { RunArtifacts } from './artifacts.ts';
import type { ReportData, ReportRow, ViewExcerpt } from './types.ts';

export interface ViewOptions {
  /** The corpus folder, when it moved since the run (default: the folder the run recorded). */
  corpusRoot?: string;
  /** Embed whole views when the documents total at most this many bytes (default 10 MB); else windows. */
  maxEmbeddedBytes?: number;
}

export const DEFAULT_MAX_EMBEDDED_BYTES = 10_000_000;
const MIN_RADIUS = 80;
const MAX_RADIUS = 400;

export type RunCorpus = { corpus: Corpus; refs: Map<string, DocumentRef> } | { reason: string };

/** Open the corpus a run read, with its include/exclude/size settings, so ids resolve to the same files. */
export async function openRunCorpus(data: ReportData, artifacts: RunArtifacts, corpusRoot?: string): Promise<RunCorpus> {
  const root = corpusRoot ?? data.run.corpus;
  if (root === null) {
    return { reason: 'The run does not record a corpus folder (documents passed in memory, or an apply run): pass the folder with --corpus to see document views.' };
  }
    try {
    const run = artifacts.run;
    const corpus = await openCorpus(root, { include: run?.include ?? undefined, exclude: run?.exclude ?? undefined, maxBytes: run?.maxBytes, followLinks: run?.followLinks, ...(run?.converters ? { converters: run.converters } : {}) });
    return { corpus, refs: new Map(corpus.documents.map((ref) => [ref.id, ref])) };
  } catch (error) {
    if (error instanceof CorpusError) return { reason: `Document views are not available: ${error.message}` };
    throw error;
  }
}

/** Fill in `rows[i].w` and `data.views` from the corpus. */
export async function embedViews(data: ReportData, artifacts: RunArtifacts, options: ViewOptions = {}): Promise<void> {
  const opened = await openRunCorpus(data, artifacts, options.corpusRoot);
  if ('reason' in opened) {
    data.views = { mode: 'none', note: opened.reason, radius: null, missing: [] };
    return;
  }
  const { corpus, refs } = opened;
  const missing: { doc: string; reason: string }[] = [];
  const wanted: DocumentRef[] = [];
  const rowOf = new Map<string, ReportRow>();
  for (const row of data.rows) {
    const ref = refs.get(row.d);
    if (ref === undefined) missing.push({ doc: row.d, reason: `not found in ${corpus.root} (moved or deleted since the run?)` });
    else {
      wanted.push(ref);
      rowOf.set(row.d, row);
    }
  }
  const budget = options.maxEmbeddedBytes ?? DEFAULT_MAX_EMBEDDED_BYTES;
  const totalBytes = wanted.reduce((sum, ref) => sum + ref.bytes, 0);
  const whole = totalBytes <= budget;
  const radius = whole ? null : windowRadius(budget, data.rows);
  for await (const doc of corpus.views(wanted, { threads: availableParallelism() })) {
    const row = rowOf.get(doc.id) as ReportRow;
    row.w = whole ? { n: doc.view.length, format: doc.format, p: [[0, doc.view]] } : excerpt(doc, row, radius as number);
  }
  for (const ref of wanted) {
    if (rowOf.get(ref.id)?.w !== undefined) continue;
    const skip = corpus.skipped.find((entry) => entry.id === ref.id);
    missing.push({ doc: ref.id, reason: skip ? `${skip.reason}: ${skip.detail}` : 'could not be read' });
  }
  const megabytes = (totalBytes / 1e6).toFixed(1);
  data.views = {
    mode: whole ? 'full' : 'window',
    note: whole
      ? `Every document's view is embedded (${megabytes} MB of documents).`
      : `The documents total ${megabytes} MB, over the ${(budget / 1e6).toFixed(0)} MB embedded in a report, so each document shows ${radius} characters of context around its values. Run \`evaporate report ${data.run.runDir} --serve\` to read whole documents.`,
    radius,
    missing,
  };
}

/** Context on each side of a value: as much as the budget allows, shared over all the values in the table. */
function windowRadius(budget: number, rows: readonly ReportRow[]): number {
  let anchors = 0;
  for (const row of rows) for (const cell of row.c) anchors += (cell.s?.length ?? 0) + (cell.k?.length ?? 0) + (cell.g ? 1 : 0);
  const radius = Math.floor(budget / (2 * Math.max(1, anchors)));
  return Math.max(MIN_RADIUS, Math.min(MAX_RADIUS, radius));
}

/** The windows of a document that show where its values (chosen, competing and gold) occur. */
function excerpt(doc: CorpusDocument, row: ReportRow, radius: number): ViewExcerpt {
  const anchors: [number, number][] = [];
  const find = (value: string) => {
    const start = value === '' ? -1 : doc.view.indexOf(value);
    if (start >= 0) anchors.push([start, start + value.length]);
  };
  for (const cell of row.c) {
    anchors.push(...(cell.s ?? []));
    for (const [value] of cell.k ?? []) for (const item of value ?? []) find(item);
    for (const item of cell.g ?? []) find(item);
  }
  // A document where nothing was found still shows its beginning.
  if (anchors.length === 0) anchors.push([0, 0]);
  return { n: doc.view.length, format: doc.format, p: viewWindows(doc.view, anchors, radius) };
}

/**
 * Merge `radius`-character windows around each anchor into parts [offset, text]. Boundaries never split a
 * surrogate pair, so every part is well-formed text.
 */
export function viewWindows(view: string, anchors: readonly [number, number][], radius: number): [number, string][] {
  const ranges = anchors
    .map(([start, end]): [number, number] => [Math.max(0, Math.min(start, view.length) - radius), Math.min(view.length, Math.max(start, end) + radius)])
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const range of ranges) {
    const last = merged[merged.length - 1];
    if (last !== undefined && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push([...range]);
  }
  return merged.map(([start, end]) => {
    const from = isLowSurrogate(view.charCodeAt(start)) ? start - 1 : start;
    const to = isLowSurrogate(view.charCodeAt(end)) ? end + 1 : end;
    return [from, view.slice(from, to)];
  });
}

const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;
