/**
 * The model-free synthesizer: candidate extractor functions written from an attribute's name,
 * description and form and from the sample documents, with no model. Candidates are ordinary
 * `function extract(doc, $, lib)` sources over the sandbox library, run, scored and combined exactly like model-written ones.
 */
import type { CorpusDocument } from '../../corpus/index.ts';
import type { AttributeSpec } from '../../core/attributes.ts';
import type { CandidateFunction } from '../types.ts';
import type { Draft, Family } from './draft.ts';
import { contextDrafts, genericLabelDrafts, learnedLabelDrafts } from './labels.ts';
import { markupDrafts } from './markup.ts';
import { assembleSource, hostFunction } from './runtime.ts';
import { readSample, type SampleDoc } from './sample.ts';
import { layoutDrafts, typeDrafts } from './typed.ts';
import { profileAttribute } from './words.ts';

export interface BuiltinOptions {
  /** At most this many candidates per attribute (default 30). */
  maxCandidates?: number;
}

export const DEFAULT_MAX_CANDIDATES = 30;

// Candidates of one family with the same outputs on every sample document, kept at most.
const MAX_TWINS = 2;

// Selection takes one draft from each family in turn, in this order, so the kept set stays diverse.
const FAMILIES: readonly Family[] = ['learned', 'element', 'label', 'markup', 'context', 'type', 'layout'];

/** `function extract(doc, $, lib)` around a draft's expression, declaring the text lines only when used. */
export function draftSource(expression: string): string {
  const usesFlow = /\bflow\b/.test(expression);
  const usesText = usesFlow || /\btext\b/.test(expression);
  const usesLines = usesText || /\blines\b/.test(expression);
  const body = [
    ...(usesLines ? ['var lines = textLines(doc);'] : []),
    ...(usesText ? ['var text = joinedText(doc);'] : []),
    ...(usesFlow ? ['var flow = flowText(doc);'] : []),
    `return ${expression};`,
  ].join('\n');
  return assembleSource(body);
}

interface Measured {
  draft: Draft;
  source: string;
  /** Sample documents where the draft gives a value. */
  docs: string[];
  /** The draft's outputs on the sample, as one string: equal signatures are redundant voters there. */
  signature: string;
  /** Gives one and the same value on three or more sample documents and nothing else: page furniture. */
  constant: boolean;
}

function asValues(value: unknown): string[] | null {
  if (typeof value === 'string') return value.trim() === '' ? null : [value.trim()];
  if (Array.isArray(value)) {
    const items = value.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim());
    return items.length > 0 ? items : null;
  }
  return null;
}

/** Runs a draft's expression (templates from this folder, see runtime.ts) on the sample, on the host. */
function measure(draft: Draft, sample: readonly SampleDoc[]): Measured {
  const run = hostFunction<(doc: string, lines: string[], text: string, flow: string, $: undefined) => unknown>(
    ['doc', 'lines', 'text', 'flow', '$'],
    draft.proxy ?? draft.expression,
  );
  const outputs: (string[] | null)[] = [];
  const docs: string[] = [];
  for (const doc of sample) {
    let value: string[] | null = null;
    try {
      value = asValues(run(doc.view, doc.lines, doc.text, doc.flow, undefined));
    } catch {
      value = null;
    }
    outputs.push(value);
    if (value) docs.push(doc.id);
  }
  const source = draftSource(draft.expression);
  const distinct = new Set(outputs.filter((o) => o !== null).map((o) => JSON.stringify(o)));
  const constant = docs.length >= 3 && distinct.size === 1;
  // Without a sample there is nothing to compare, so every source counts as distinct.
  return { draft, source, docs, signature: sample.length === 0 ? source : JSON.stringify(outputs), constant };
}

/**
 * Round-robin over families, best first within each (most sample documents with a value, then the
 * strategy's own rank). A first pass admits only drafts whose outputs on the sample differ from every
 * kept one. A second admits up to MAX_TWINS drafts per family and output: twins from different families
 * are different mechanisms (a label, a pattern, markup) that may part ways off the sample, while more
 * twins of one mechanism would crowd out other layouts wherever candidates are ranked by sample score.
 */
function select(measured: Measured[], max: number): Measured[] {
  const queues = FAMILIES.map((family) =>
    measured.filter((m) => m.draft.family === family).sort((a, b) => b.docs.length - a.docs.length || a.draft.rank - b.draft.rank),
  );
  const kept = new Set<Measured>();
  const signatures = new Set<string>();
  const twins = new Map<string, number>();
  const twinKey = (m: Measured): string => `${m.draft.family}\u0000${m.signature}`;
  const passes: ((m: Measured) => boolean)[] = [(m) => !signatures.has(m.signature), (m) => (twins.get(twinKey(m)) ?? 0) < MAX_TWINS];
  for (const admits of passes) {
    const cursors = queues.map(() => 0);
    let progressed = true;
    while (kept.size < max && progressed) {
      progressed = false;
      queues.forEach((queue, f) => {
        if (kept.size >= max) return;
        for (; cursors[f]! < queue.length; cursors[f]! += 1) {
          const next = queue[cursors[f]!]!;
          if (kept.has(next) || !admits(next)) continue;
          kept.add(next);
          signatures.add(next.signature);
          twins.set(twinKey(next), (twins.get(twinKey(next)) ?? 0) + 1);
          progressed = true;
          break;
        }
      });
    }
  }
  return [...kept];
}

/**
 * Candidate extractor functions for one attribute, written without a model.
 * With an empty sample nothing can be measured, so the generic drafts are returned in rank order.
 */
export function synthesizeBuiltin(attribute: AttributeSpec, sample: CorpusDocument[], options: BuiltinOptions = {}): CandidateFunction[] {
  const max = options.maxCandidates ?? DEFAULT_MAX_CANDIDATES;
  if (!Number.isInteger(max) || max < 1) {
    throw new Error(`synthesizeBuiltin: maxCandidates must be a positive integer, got ${max}`);
  }
  const profile = profileAttribute(attribute);
  const docs = readSample(sample);
  const drafts = [
    ...learnedLabelDrafts(profile, docs),
    ...genericLabelDrafts(profile),
    ...markupDrafts(profile, docs),
    ...contextDrafts(profile, docs),
    ...typeDrafts(profile),
    ...layoutDrafts(profile),
  ];
  const bySource = new Map<string, Measured>();
  for (const draft of drafts) {
    const measured = measure(draft, docs);
    if (!bySource.has(measured.source)) bySource.set(measured.source, measured);
  }
  const all = [...bySource.values()];
  const found = docs.length === 0 ? all : all.filter((m) => m.docs.length > 0);
  // A value repeated verbatim on every page ("Author" from a search menu) is furniture, unless nothing varies.
  const varying = found.filter((m) => !m.constant);
  const supported = varying.length > 0 ? varying : found;
  // A few generic label layouts stay even without support: the sample may not show every layout of a mixed corpus.
  const fallbacks = all.filter((m) => m.draft.fallback && !supported.includes(m)).sort((a, b) => a.draft.rank - b.draft.rank);
  const reserve = Math.min(fallbacks.length, Math.floor(max / 6));
  const kept = select(supported, max - reserve);
  kept.push(...fallbacks.slice(0, max - kept.length));
  return kept.map((m, i) => ({
    id: `${attribute.name}-b${i + 1}`,
    attribute: attribute.name,
    source: m.source,
    origin: 'builtin',
    strategy: m.draft.strategy,
    ...(m.docs.length > 0 ? { sampleDocs: m.docs } : {}),
  }));
}
