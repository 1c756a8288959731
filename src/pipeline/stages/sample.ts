import { clusterLayouts, compareStrings, isSkipped, layoutSignature, seededSample, type Corpus, type CorpusDocument } from '../../corpus/index.ts';
import type { LayoutsArtifact } from '../../run/index.ts';
import type { RunContext } from '../context.ts';
import { ExtractError } from '../context.ts';
import { runStage } from '../stage.ts';

/** Documents whose layout is read before sampling: a seeded subset, so the survey costs the same for any corpus size. */
export const SURVEY_DOCUMENTS = 1000;
/** A layout the sample must cover holds at least this share of the surveyed documents (and two of them). */
export const SIGNIFICANT_SHARE = 0.03;
/** With more significant layouts than `--sample`, the sample grows to cover them, up to this many times `--sample`. */
export const MAX_SAMPLE_GROWTH = 2;
/**
 * When fewer than this share of the surveyed documents fall in significant layouts, the clustering found no
 * templates (free text such as contracts or receipts, nearly each its own shape): then no layout is significant
 * and the sample is the seeded one. Templated folders measured 1.00 (demo, booksamillion), free text 0.46-0.54
 * (SROIE, Kleister-NDA), where covering such "layouts" cost 6 F1 with a model on Kleister-NDA.
 */
export const TEMPLATED_SHARE = 0.8;
/** Bumped when the way the sample is chosen changes, so a resumed run chooses it again. */
const SAMPLING_VERSION = 2;

/**
 * The sample shown to the model. A seeded survey of the corpus is grouped into layouts (templates), and the sample
 * takes one document from every significant layout, largest first, then fills its remaining places in the seeded
 * order, which is uniform and so proportional to layout size on average; unreadable files never shrink it. So model cost grows with the number of layouts, never with the number
 * of documents. A saved sample is kept while the folder grows.
 */
export async function sampleStage(ctx: RunContext, corpus: Corpus): Promise<CorpusDocument[]> {
  const { documents, include, exclude, maxBytes, followLinks, converters, sampleSize, seed } = ctx.settings;
  const listing = { documents, include, exclude, maxBytes, followLinks, seed, ...(converters ? { converters } : {}) };
  const surveyed = new Map<string, CorpusDocument>();
  const layouts = await runStage(ctx, { stage: 'layouts', artifact: 'layouts', from: [], settings: { ...listing, survey: SURVEY_DOCUMENTS, sampling: SAMPLING_VERSION } }, async () => {
    const survey = await surveyLayouts(corpus, seed);
    for (const doc of survey) surveyed.set(doc.id, doc);
    return { value: layoutsOf(survey), complete: survey.length > 0 };
  });
  const ids = await runStage(ctx, { stage: 'sample', artifact: 'sample', from: ['layouts'], settings: { ...listing, sampleSize, sampling: SAMPLING_VERSION } }, async () => {
    const inSurvey = new Set(layouts.layouts.flatMap((layout) => layout.docs));
    const order = seededSample(corpus.documents, corpus.documents.length, seed, (doc) => doc.id).map((ref) => ref.id).filter((id) => inSurvey.has(id));
    const picked = pickCovering(layouts, sampleSize, order);
    return { value: picked, complete: picked.length > 0 };
  });
  const sample = await loadSample(corpus, ids, surveyed);
  if (sample.length === 0) throw new ExtractError('no-documents', `None of the documents could be read (${describeSkips(corpus.skipped)}); see documents.json.`);
  return sample;
}

/** The first {@link SURVEY_DOCUMENTS} documents that load, in the seeded order. */
async function surveyLayouts(corpus: Corpus, seed: number): Promise<CorpusDocument[]> {
  const order = seededSample(corpus.documents, corpus.documents.length, seed, (doc) => doc.id).slice(0, SURVEY_DOCUMENTS);
  const survey: CorpusDocument[] = [];
  for await (const doc of corpus.views(order)) survey.push(doc);
  return survey;
}

function layoutsOf(survey: readonly CorpusDocument[]): LayoutsArtifact {
  const layouts = clusterLayouts(survey.map((doc) => ({ id: doc.id, signature: layoutSignature(doc) })));
  const minimum = Math.max(2, Math.ceil(SIGNIFICANT_SHARE * survey.length));
  const inTemplates = layouts.filter((layout) => layout.docs.length >= minimum).reduce((sum, layout) => sum + layout.docs.length, 0);
  const templated = inTemplates >= TEMPLATED_SHARE * survey.length;
  return { surveyed: survey.length, layouts: layouts.map((layout) => ({ ...layout, significant: templated && layout.docs.length >= minimum })) };
}

/**
 * The significant layouts in turn (largest first), one document of each per round, so a small layout gets as many
 * sample documents as a large one until it runs out: functions are written and scored on every layout alike, and a
 * large template cannot take the places of the others. Then the rest of the places in the surveyed order.
 */
export function pickCovering(layouts: LayoutsArtifact, sampleSize: number, surveyOrder: readonly string[] = layouts.layouts.flatMap((layout) => layout.docs)): string[] {
  const significant = layouts.layouts.filter((layout) => layout.significant).sort((a, b) => b.docs.length - a.docs.length);
  const size = Math.min(Math.max(sampleSize, Math.min(significant.length, sampleSize * MAX_SAMPLE_GROWTH)), surveyOrder.length);
  const picked = new Set<string>();
  for (let round = 0; picked.size < size && significant.some((layout) => layout.docs.length > round); round++) {
    for (const layout of significant) {
      if (picked.size >= size) break;
      if (layout.docs[round] !== undefined) picked.add(layout.docs[round] as string);
    }
  }
  for (const doc of surveyOrder) {
    if (picked.size >= size) break;
    picked.add(doc);
  }
  return [...picked].sort(compareStrings);
}

/** The seeded order's first `size` documents that load: for discovery and estimates, which need no layouts. */
export async function pickSample(corpus: Corpus, size: number, seed: number): Promise<CorpusDocument[]> {
  const sample: CorpusDocument[] = [];
  for (const ref of seededSample(corpus.documents, corpus.documents.length, seed, (doc) => doc.id)) {
    if (sample.length >= size) break;
    const loaded = await corpus.load(ref);
    if (!isSkipped(loaded)) sample.push(loaded);
  }
  return sample;
}

/** Load a saved sample (from the survey when it was just read); documents that are gone or now unreadable are left out. */
async function loadSample(corpus: Corpus, ids: readonly string[], surveyed: ReadonlyMap<string, CorpusDocument>): Promise<CorpusDocument[]> {
  const byId = new Map(corpus.documents.map((ref) => [ref.id, ref]));
  const sample: CorpusDocument[] = [];
  for (const id of ids) {
    const known = surveyed.get(id);
    if (known) {
      sample.push(known);
      continue;
    }
    const ref = byId.get(id);
    if (ref === undefined) continue;
    const loaded = await corpus.load(ref);
    if (!isSkipped(loaded)) sample.push(loaded);
  }
  return sample;
}

export function describeSkips(skipped: Corpus['skipped']): string {
  const shown = skipped.slice(0, 3).map((skip) => `${skip.id}: ${skip.reason}`).join(', ');
  return `${skipped.length} file(s) skipped: ${shown}${skipped.length > 3 ? ', ...' : ''}`;
}
