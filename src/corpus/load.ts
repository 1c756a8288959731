import { readFile } from 'node:fs/promises';
import { decodeBytes, looksBinary } from './decode.ts';
import { detectFormat } from './format.ts';
import type { CorpusDocument, DocumentRef, SkippedFile } from './types.ts';
import { buildView, TooComplexError } from './view.ts';

/** Read one file and build its view, or say why it cannot be used. Never throws; needs nothing but the ref. */
export async function loadFile(ref: DocumentRef, maxBytes: number): Promise<CorpusDocument | SkippedFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(ref.path);
  } catch (error) {
    return { id: ref.id, path: ref.path, reason: 'unreadable', detail: (error as Error).message };
  }
  if (bytes.length === 0) return { id: ref.id, path: ref.path, reason: 'empty', detail: 'file is empty' };
  if (bytes.length > maxBytes) {
    return { id: ref.id, path: ref.path, reason: 'too-large', detail: `${bytes.length} bytes is over the ${maxBytes}-byte limit` };
  }
  if (looksBinary(bytes)) return { id: ref.id, path: ref.path, reason: 'binary', detail: 'contains NUL bytes' };
  const { text } = decodeBytes(bytes);
  return viewOf({ ...ref, format: detectFormat(ref.id, text) }, text);
}

/** The document's view; markup that breaks the cleaner (nesting thousands deep, say) is a skip, not a crash. */
export function viewOf(ref: DocumentRef, text: string): CorpusDocument | SkippedFile {
  try {
    return { ...ref, view: buildView(text, ref.format) };
  } catch (error) {
    if (error instanceof TooComplexError) return { id: ref.id, path: ref.path, reason: 'too-complex', detail: error.message };
    return { id: ref.id, path: ref.path, reason: 'unparseable', detail: `could not build the view: ${(error as Error).message}` };
  }
}
