import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import mammoth from 'mammoth';
import { convertFile, converterFor, type Converter } from './convert.ts';
import { pdfText } from './pdf.ts';
import { decodeBytes, looksBinary } from './decode.ts';
import { detectFormat } from './format.ts';
import type { CorpusDocument, DocumentRef, SkippedFile } from './types.ts';
import { buildView, TooComplexError } from './view.ts';

/**
 * Read one file and build its view, or say why it cannot be used. Never throws; needs nothing but the ref. A
 * converter for its extension, when one is given, reads it instead of the built-in readers.
 */
export async function loadFile(ref: DocumentRef, maxBytes: number, converters?: readonly Converter[]): Promise<CorpusDocument | SkippedFile> {
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
  const converter = converterFor(converters, ref.id);
  if (converter !== undefined) {
    const converted = await convertFile(converter, ref.path, maxBytes);
    if ('skip' in converted) return { id: ref.id, path: ref.path, reason: 'unparseable', detail: converted.skip };
    return viewOf({ ...ref, format: detectFormat('', converted.text) }, converted.text);
  }
  const packaged = await packagedView(ref, bytes);
  if (packaged !== undefined) return packaged;
  if (looksBinary(bytes)) return { id: ref.id, path: ref.path, reason: 'binary', detail: 'contains NUL bytes' };
  const { text } = decodeBytes(bytes);
  return viewOf({ ...ref, format: detectFormat(ref.id, text) }, text);
}

/** PDF and Word documents, recognised by their first bytes: their view, or why there is none; else undefined. */
async function packagedView(ref: DocumentRef, bytes: Buffer): Promise<CorpusDocument | SkippedFile | undefined> {
  // The PDF header may follow some junk; readers accept it within the first kilobyte.
  if (bytes.subarray(0, 1024).includes('%PDF-')) {
    const pdf = await pdfText(bytes);
    if ('skip' in pdf) return { id: ref.id, path: ref.path, reason: /no text layer/.test(pdf.skip) ? 'empty' : 'unparseable', detail: pdf.skip };
    return { ...ref, format: 'text', view: pdf.view, pages: pdf.pages, lines: pdf.lines };
  }
  const zip = bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  if (zip && (extname(ref.id).toLowerCase() === '.docx' || bytes.subarray(0, 65536).includes('word/document.xml'))) {
    try {
      const { value: html } = await mammoth.convertToHtml({ buffer: bytes });
      return viewOf({ ...ref, format: 'html' }, html);
    } catch (error) {
      return { id: ref.id, path: ref.path, reason: 'unparseable', detail: `not a readable Word document: ${(error as Error).message}` };
    }
  }
  return undefined;
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
