import { isSkipped, seededSample, type Corpus, type CorpusDocument } from '../../corpus/index.ts';
import type { RunContext } from '../context.ts';
import { ExtractError } from '../context.ts';
import { runStage } from '../stage.ts';

/**
 * The sample shown to the model: a seeded order over all documents, of which the first `sampleSize` that
 * load are taken, so unreadable files never shrink the sample. A saved sample is kept while the folder grows.
 */
export async function sampleStage(ctx: RunContext, corpus: Corpus): Promise<CorpusDocument[]> {
  const { documents, include, exclude, maxBytes, followLinks, sampleSize, seed } = ctx.settings;
  const ids = await runStage(ctx, { stage: 'sample', artifact: 'sample', from: [], settings: { documents, include, exclude, maxBytes, followLinks, sampleSize, seed } }, async () => {
    const picked = (await pickSample(corpus, sampleSize, seed)).map((doc) => doc.id);
    return { value: picked, complete: picked.length > 0 };
  });
  const sample = await loadSample(corpus, ids);
  if (sample.length === 0) throw new ExtractError('no-documents', `None of the documents could be read (${describeSkips(corpus.skipped)}); see documents.json.`);
  return sample;
}

export async function pickSample(corpus: Corpus, size: number, seed: number): Promise<CorpusDocument[]> {
  const sample: CorpusDocument[] = [];
  for (const ref of seededSample(corpus.documents, corpus.documents.length, seed, (doc) => doc.id)) {
    if (sample.length >= size) break;
    const loaded = await corpus.load(ref);
    if (!isSkipped(loaded)) sample.push(loaded);
  }
  return sample;
}

/** Load a sample saved by an earlier run; documents that are gone or now unreadable are left out. */
async function loadSample(corpus: Corpus, ids: readonly string[]): Promise<CorpusDocument[]> {
  const byId = new Map(corpus.documents.map((ref) => [ref.id, ref]));
  const sample: CorpusDocument[] = [];
  for (const id of ids) {
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
