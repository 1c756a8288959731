import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { CorpusError } from './errors.ts';
import { findFiles } from './find.ts';
import { detectFormat } from './format.ts';
import { compareStrings } from './random.ts';
import type { CorpusDocument, DocumentFormat, DocumentRef, SkippedFile } from './types.ts';
import { layoutSignature } from './layout.ts';
import type { Converter } from './convert.ts';
import { loadFile, viewOf } from './load.ts';
import { startViewThreads, type ViewThreads } from './view-threads.ts';
import { DEFAULTS } from '../core/settings.ts';

export interface CorpusOptions {
  /** Glob patterns (relative to the root) of files to read; default every file. */
  include?: string[];
  /** Glob patterns of files to leave out, in addition to hidden files and node_modules. */
  exclude?: string[];
  /** Files larger than this are skipped (default 20 MiB). */
  maxBytes?: number;
  /** Follow symbolic links that lead out of the folder (default false: they are recorded as skips). */
  followLinks?: boolean;
  /** Commands that read files of an extension instead of the built-in readers (see ./convert.ts). */
  converters?: readonly Converter[];
}

/**
 * The documents of a corpus. Listing is eager (names and sizes only); content is read and views are
 * built lazily, one document at a time, so memory does not grow with the corpus.
 */
export interface Corpus {
  /** Absolute path of the corpus folder ('' for in-memory corpora). */
  root: string;
  /** Documents in id order. */
  documents: DocumentRef[];
  /** Files that were found but not loaded, with reasons; grows as `views()` meets unreadable or binary files. */
  skipped: SkippedFile[];
  /** Read one document and build its view, or say why it was skipped (the skip is also recorded). */
  load(ref: DocumentRef): Promise<CorpusDocument | SkippedFile>;
  /** Every loadable document's view, in id order (or the given subset's order). */
  views(refs?: readonly DocumentRef[], options?: ViewOptions): AsyncGenerator<CorpusDocument>;
}

export interface ViewOptions {
  /**
   * Build views on this many worker threads, in order, a few documents ahead (folders only; default 1: on this
   * thread, one read ahead). For passes over the whole corpus; the threads are stopped when the pass ends.
   */
  threads?: number;
  /** Also compute each document's layout signature (`layout`), on the threads. */
  layouts?: boolean;
  /**
   * View threads already running (a queue worker keeps them across shards, warm), used instead of starting
   * `threads` new ones and left running; they must have been started with this corpus's size limit.
   */
  pool?: ViewThreads;
}

export const DEFAULT_MAX_BYTES = DEFAULTS.maxBytes;

export function isSkipped(entry: CorpusDocument | SkippedFile): entry is SkippedFile {
  return 'reason' in entry;
}

/** List the documents under a folder. Throws CorpusError when the folder is missing or unreadable. */
export async function openCorpus(folder: string, options: CorpusOptions = {}): Promise<Corpus> {
  const root = resolve(folder);
  const info = await stat(root).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new CorpusError(`Corpus folder not found: ${folder}. Check the path and try again.`);
    throw new CorpusError(`Cannot read corpus folder ${folder}: ${error.message}`);
  });
  if (!info.isDirectory()) throw new CorpusError(`Not a folder: ${folder}. Pass the folder that holds the documents.`);

  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const files = await findFiles(root, options).catch((error: Error) => {
    throw new CorpusError(`Cannot list corpus folder ${folder}: ${error.message}`);
  });

  const documents: DocumentRef[] = [];
  const skipped: SkippedFile[] = [];
  for (const { id, path, bytes, outside, error } of files) {
    if (error !== undefined) skipped.push({ id, path, reason: 'unreadable', detail: error });
    else if (outside !== undefined) skipped.push({ id, path, reason: 'outside-root', detail: `a link to ${outside}, outside the corpus folder; links out of the folder are followed only when asked` });
    else if (bytes === 0) skipped.push({ id, path, reason: 'empty', detail: 'file is empty' });
    else if (bytes > maxBytes) skipped.push({ id, path, reason: 'too-large', detail: `${bytes} bytes is over the ${maxBytes}-byte limit` });
    else documents.push({ id, path, format: formatFromName(id), bytes });
  }
  documents.sort((a, b) => compareStrings(a.id, b.id));
  skipped.sort((a, b) => compareStrings(a.id, b.id));
  return corpusFromFiles(root, documents, { maxBytes, skipped, ...(options.converters?.length ? { converters: options.converters } : {}) });
}

/**
 * A corpus over files already listed (a queue worker's shard, listed by the coordinator): the same reading and
 * views as {@link openCorpus}, without listing a folder. `documents` keep their order.
 */
export function corpusFromFiles(root: string, documents: DocumentRef[], options: { maxBytes?: number; skipped?: SkippedFile[]; converters?: readonly Converter[] } = {}): Corpus {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const converters = options.converters;
  const skipped = options.skipped ?? [];
  const load = async (ref: DocumentRef): Promise<CorpusDocument | SkippedFile> => {
    const entry = await loadFile(ref, maxBytes, converters);
    return isSkipped(entry) ? record(entry) : entry;
  };
  const record = (skip: SkippedFile): SkippedFile => {
    if (!skipped.some((known) => known.id === skip.id)) skipped.push(skip);
    return skip;
  };

  const views = (refs: readonly DocumentRef[] = documents, viewOptions: ViewOptions = {}): AsyncGenerator<CorpusDocument> => {
    if (viewOptions.pool) return streamThreaded(refs, viewOptions.pool, record, false);
    return (viewOptions.threads ?? 1) > 1 && refs.length >= THREADED_MIN_DOCUMENTS
      ? streamThreaded(refs, startViewThreads({ threads: viewOptions.threads ?? 1, maxBytes, layouts: viewOptions.layouts ?? false, ...(converters?.length ? { converters } : {}) }), record, true)
      : withLayouts(streamViews(refs, load), viewOptions.layouts ?? false);
  };
  return { root, documents, skipped, load, views };
}

/** Fewer documents are not worth starting threads for (about 50 ms each). */
const THREADED_MIN_DOCUMENTS = 16;

/** A document handed over in memory rather than read from a folder. */
export interface InputDocument {
  id: string;
  content: string;
  format?: DocumentFormat;
}

/** A corpus over documents already in memory (library use); ids must be unique. */
export function corpusFromDocuments(input: Iterable<InputDocument>): Corpus {
  const contents = new Map<string, InputDocument>();
  for (const doc of input) {
    if (contents.has(doc.id)) throw new CorpusError(`Duplicate document id: ${doc.id}. Give each document a unique id.`);
    contents.set(doc.id, doc);
  }
  const skipped: SkippedFile[] = [];
  const documents: DocumentRef[] = [...contents.values()]
    .map((doc) => ({ id: doc.id, path: '', format: doc.format ?? detectFormat(doc.id, doc.content), bytes: Buffer.byteLength(doc.content) }))
    .sort((a, b) => compareStrings(a.id, b.id));
  const load = async (ref: DocumentRef): Promise<CorpusDocument | SkippedFile> => {
    const doc = contents.get(ref.id);
    if (doc === undefined || doc.content.trim() === '') {
      const skip: SkippedFile = { id: ref.id, path: '', reason: 'empty', detail: 'document has no content' };
      if (!skipped.some((known) => known.id === ref.id)) skipped.push(skip);
      return skip;
    }
    const entry = viewOf(ref, doc.content);
    if (isSkipped(entry) && !skipped.some((known) => known.id === entry.id)) skipped.push(entry);
    return entry;
  };
  return { root: '', documents, skipped, load, views: (refs = documents, viewOptions = {}) => withLayouts(streamViews(refs, load), viewOptions.layouts ?? false) };
}

// One read ahead: the next file's I/O overlaps this document's view building.
async function* streamViews(
  refs: readonly DocumentRef[],
  load: (ref: DocumentRef) => Promise<CorpusDocument | SkippedFile>,
): AsyncGenerator<CorpusDocument> {
  let next = refs.length > 0 ? load(refs[0] as DocumentRef) : undefined;
  for (let i = 0; i < refs.length; i++) {
    const current = await (next as Promise<CorpusDocument | SkippedFile>);
    next = i + 1 < refs.length ? load(refs[i + 1] as DocumentRef) : undefined;
    if (!isSkipped(current)) yield current;
  }
}

/** Views built on threads, yielded in the order of `refs` with a few per thread in flight. */
async function* streamThreaded(
  refs: readonly DocumentRef[],
  threads: ViewThreads,
  record: (skip: SkippedFile) => SkippedFile,
  closeAfter: boolean,
): AsyncGenerator<CorpusDocument> {
  const ahead = 4 * threads.size;
  const inFlight: Promise<CorpusDocument | SkippedFile>[] = [];
  let next = 0;
  try {
    while (next < refs.length && inFlight.length < ahead) inFlight.push(threads.load(refs[next++] as DocumentRef));
    while (inFlight.length > 0) {
      const entry = await (inFlight.shift() as Promise<CorpusDocument | SkippedFile>);
      if (next < refs.length) inFlight.push(threads.load(refs[next++] as DocumentRef));
      if (isSkipped(entry)) record(entry);
      else yield entry;
    }
  } finally {
    if (closeAfter) await threads.close();
  }
}

async function* withLayouts(docs: AsyncGenerator<CorpusDocument>, layouts: boolean): AsyncGenerator<CorpusDocument> {
  for await (const doc of docs) yield layouts ? { ...doc, layout: layoutSignature(doc) } : doc;
}

function formatFromName(id: string): DocumentFormat {
  // Provisional until the content is read: extension only (sniffing needs the bytes).
  return detectFormat(basename(id), '');
}
