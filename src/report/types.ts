/**
 * What a review report embeds: the contract between the Node side that reads a run directory and the
 * page script that renders it. Rows and cells use short keys and function indices because a report of
 * 10,000 documents carries tens of thousands of cells, and every byte is parsed by the browser on open.
 */
import type { SkippedFile } from '../corpus/index.ts';
import type { UsageReport } from '../model/index.ts';
import type { SandboxCounters } from '../sandbox/index.ts';

export interface ReportData {
  version: 1;
  generatedAt: string;
  run: RunFacts;
  attributes: AttributeReport[];
  /** Every function a cell or an attribute refers to; cells name voters by index into this list. */
  functions: FunctionInfo[];
  /** One per result row, in the order of cells.jsonl. */
  rows: ReportRow[];
  views: ViewsInfo;
  evaluation: EvaluationInfo | null;
  /** What the run directory lacks and what that means for the page (e.g. no cells.jsonl: apply never finished). */
  notes: string[];
}

export interface RunFacts {
  runDir: string;
  /** The corpus folder the views were rebuilt from, or null when unknown (in-memory documents, apply runs). */
  corpus: string | null;
  method: string | null;
  synthesizer: string | null;
  model: { model: string; baseURL: string | null } | null;
  /** Documents listed in the corpus (documents.json), or the row count when unknown. */
  documents: number;
  rows: number;
  /** Files found but not read, with reasons; `skippedTotal` says how many there were when the list is cut. */
  skipped: SkippedFile[];
  skippedTotal: number;
  sample: string[];
  stageSeconds: Record<string, number>;
  applyDocsPerSecond: number | null;
  sandbox: SandboxFacts | null;
  usage: UsageReport | null;
}

/** What the sandbox counted while applying the functions (the part of its counters the page shows). */
export type SandboxFacts = Pick<SandboxCounters, 'calls' | 'values' | 'abstains' | 'errors' | 'disabled' | 'isolateRestarts'>;

export interface FunctionInfo {
  id: string;
  attribute: string;
  /** 'model', 'builtin' or 'user' (hand-written programs); null when the run directory does not say. */
  origin: string | null;
  /** The prompt template (model) or rule (builtin) that produced it. */
  strategy: string | null;
  kept: boolean;
  /** Token F1 against the pseudo-labels on the sample. */
  sampleF1: number | null;
  /** Share of sample documents it returned a value for. */
  sampleCoverage: number | null;
  /** The label model's estimate of how often it is right (kept functions only). */
  accuracy: number | null;
  sampleDocs: number;
  /** Source code; embedded for kept functions only (candidates.json has the rest). */
  source: string | null;
}

export interface AttributeReport {
  name: string;
  description: string | null;
  /** Share of rows with a value. */
  coverage: number;
  /** Mean cell confidence over all rows. */
  meanConfidence: number;
  /** Empty outputs abstain (true) or vote for "no value" (false); null when unknown. */
  abstainOnEmpty: boolean | null;
  pseudoLabelSource: string | null;
  /** Candidate functions written for this attribute. */
  candidates: number;
  /** Indices into ReportData.functions, best first. */
  kept: number[];
  dropped: { fn: number; reason: string }[];
  /** Synthesis requests that produced no function. */
  failures: { reason: string; detail: string }[];
}

/** A candidate value of a cell: [value (null = empty), probability, voter function indices]. */
export type CandidateEntry = [string[] | null, number, number[]];

export interface ReportCell {
  /** The value; absent when the cell is empty. */
  v?: string[];
  /** Confidence in [0, 1]. */
  c: number;
  /** Voters (function indices). */
  f?: number[];
  /** Spans [start, end) of the value in the document's view. */
  s?: [number, number][];
  /** For a PDF: the page (1-based) the value is on, and its box there ([x0, y0, x1, y1] in points). */
  p?: number;
  b?: [number, number, number, number];
  /** Competing values, present only when there was more than one. */
  k?: CandidateEntry[];
  /** Gold value (bench runs). */
  g?: string[];
  /** Text F1 against gold (bench runs). */
  e?: number;
}

export interface ReportRow {
  /** Document id (path relative to the corpus folder). */
  d: string;
  /** Cells in the order of ReportData.attributes. */
  c: ReportCell[];
  /** The document's view, whole or in excerpts; absent when not embedded. */
  w?: ViewExcerpt;
}

/** Parts of a view: [offset in the view, text]; one part starting at 0 when the whole view is embedded. */
export interface ViewExcerpt {
  /** Length of the whole view. */
  n: number;
  format: 'html' | 'text';
  p: [number, string][];
}

export interface ViewsInfo {
  /** full: every view whole; window: context around each value; none: no views (corpus unknown or unreadable). */
  mode: 'full' | 'window' | 'none';
  /** Why this mode, in words for the page. */
  note: string;
  /** Characters of context on each side of a value (window mode). */
  radius: number | null;
  /** Documents whose view could not be rebuilt, with the reason. */
  missing: { doc: string; reason: string }[];
}

export interface EvaluationInfo {
  averageF1: number;
  pairs: { precision: number; recall: number; f1: number };
  attributes: { name: string; column: string | null; f1: number }[];
  /** Lowest mean F1 first; `doc` is the result row's id when one matched. */
  worst: { doc: string; meanF1: number; row: boolean }[];
  missingDocuments: string[];
}
