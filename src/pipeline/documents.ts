import { contentHashes, corpusFromDocuments, openCorpus, type Converter, type Corpus, type InputDocument } from '../corpus/index.ts';
import { writeArtifact } from '../run/index.ts';
import { ExtractError } from './context.ts';
import { describeSkips } from './stages/sample.ts';

/** A folder or in-memory documents as a corpus; an empty one is an error before anything is created or paid. */
export async function openDocuments(
  documents: string | Iterable<InputDocument>,
  filters: { include?: string[] | null | undefined; exclude?: string[] | null | undefined; maxBytes?: number | undefined; followLinks?: boolean | undefined; converters?: readonly Converter[] | null | undefined },
): Promise<Corpus> {
  const corpus = typeof documents === 'string'
    ? await openCorpus(documents, { include: filters.include ?? undefined, exclude: filters.exclude ?? undefined, maxBytes: filters.maxBytes, followLinks: filters.followLinks, ...(filters.converters?.length ? { converters: filters.converters } : {}) })
    : corpusFromDocuments(documents);
  if (corpus.documents.length === 0) {
    const skipped = corpus.skipped.length ? ` (${describeSkips(corpus.skipped)})` : '';
    throw new ExtractError('no-documents', `No documents found in ${typeof documents === 'string' ? documents : 'the input'}${skipped}. Check the folder and the include/exclude patterns.`, {
      settings: ['include', 'exclude'],
    });
  }
  return corpus;
}

/** documents.json: rewritten as loading finds more files to skip (binary, unreadable). */
export async function saveListing(runDir: string, corpus: Corpus, options: { hashes?: boolean } = {}): Promise<void> {
  const hashes = options.hashes && corpus.root ? Object.fromEntries(await contentHashes(corpus.documents)) : undefined;
  await writeArtifact(runDir, 'documents', { root: corpus.root, documents: corpus.documents.length, skipped: corpus.skipped, ...(hashes ? { hashes } : {}) });
}

/** Queue workers read shards with the built-in readers only: converters are not sent to them yet. */
export function refuseConvertersOnQueue(options: { queue?: unknown; converters?: readonly Converter[] | null | undefined }): void {
  if (options.queue && options.converters?.length) {
    throw new ExtractError('invalid-option', 'External converters (--convert) do not run on queue workers yet; convert the files into a folder first, or run without --queue.', { settings: ['converters', 'queue'] });
  }
}
