/**
 * Writes a PDF copy of a folder of text documents, to measure PDF reading against the same text (issue 19):
 * each .txt becomes a .pdf of its lines (Helvetica, 50 lines a page; characters Helvetica cannot encode become
 * "?"), and a `table.json` gold beside the folder is copied with its keys renamed.
 *
 *   node eval/make-pdf-corpus.ts <dataset folder with docs/ and table.json> <out folder>
 * then: npx evaporate bench <out folder> --methods code+   (and the same on the text dataset)
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { textAsPdf } from '../test/support/documents.ts';

const [source, out] = process.argv.slice(2);
if (!source || !out) {
  console.error('usage: node eval/make-pdf-corpus.ts <dataset folder> <out folder>');
  process.exit(2);
}
await mkdir(path.join(out, 'docs'), { recursive: true });
let files = 0;
let pages = 0;
for (const name of (await readdir(path.join(source, 'docs'))).filter((file) => file.endsWith('.txt')).sort()) {
  const bytes = await textAsPdf(await readFile(path.join(source, 'docs', name), 'utf8'));
  pages += (await PDFDocument.load(bytes)).getPageCount();
  await writeFile(path.join(out, 'docs', name.replace(/\.txt$/, '.pdf')), bytes);
  files++;
}
const gold = JSON.parse(await readFile(path.join(source, 'table.json'), 'utf8')) as Record<string, unknown>;
await writeFile(path.join(out, 'table.json'), JSON.stringify(Object.fromEntries(Object.entries(gold).map(([id, row]) => [id.replace(/\.txt$/, '.pdf'), row])), null, 1));
console.log(`${files} PDFs, ${pages} pages, in ${out}`);
