import { isSkipped, seededSample, type Corpus, type CorpusDocument } from '../corpus/index.ts';

/**
 * The sample shown to the model: a seeded order over all documents, of which the first `size` that load
 * are taken, so unreadable files never shrink the sample.
 */
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
export async function loadSample(corpus: Corpus, ids: readonly string[]): Promise<CorpusDocument[]> {
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
