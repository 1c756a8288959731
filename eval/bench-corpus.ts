// Corpus loading benchmark: read, decode and build views for every page of a site, streaming.
// Prints pages/s (documents; PDF pages separately), MB/s and memory at checkpoints (memory must not grow with the number of pages).
// Usage: node --expose-gc eval/bench-corpus.ts [folder]   (default: the SWDE booksamillion site)
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { openCorpus } from '../src/corpus/index.ts';

const folder = process.argv[2] ?? resolve(import.meta.dirname, '../../shared/datasets/swde/book/book-booksamillion(2000)');
if (!existsSync(folder)) {
  console.error(`bench-corpus: ${folder} not found (pass a folder, or run where ../shared/datasets exists)`);
  process.exit(2);
}
const gc = (globalThis as { gc?: () => void }).gc;
const mb = (bytes: number) => bytes / 1024 / 1024;

const started = performance.now();
const corpus = await openCorpus(folder);
const listedMs = performance.now() - started;
let pages = 0;
let inputBytes = 0;
let viewChars = 0;
let pdfPages = 0;
let peakRss = process.memoryUsage().rss;
const checkpoints: { pages: number; heapMb: number; rssMb: number }[] = [];
const every = Math.max(1, Math.floor(corpus.documents.length / 4));
for await (const doc of corpus.views()) {
  pages++;
  inputBytes += doc.bytes;
  viewChars += doc.view.length;
  pdfPages += doc.pages?.length ?? 0;
  if (pages % 50 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
  if (pages % every === 0) {
    gc?.();
    const usage = process.memoryUsage();
    checkpoints.push({ pages, heapMb: +mb(usage.heapUsed).toFixed(1), rssMb: +mb(usage.rss).toFixed(1) });
  }
}
const seconds = (performance.now() - started) / 1000;
peakRss = Math.max(peakRss, process.memoryUsage().rss);
const result = {
  folder,
  node: process.version,
  pages,
  skipped: corpus.skipped.length,
  seconds: +seconds.toFixed(2),
  listMs: +listedMs.toFixed(0),
  pagesPerSecond: +(pages / seconds).toFixed(0),
  pdfPages,
  pdfPagesPerSecond: +(pdfPages / seconds).toFixed(0),
  mbPerSecond: +(mb(inputBytes) / seconds).toFixed(1),
  inputMb: +mb(inputBytes).toFixed(1),
  viewToInputRatio: +(viewChars / inputBytes).toFixed(2),
  peakRssMb: +mb(peakRss).toFixed(0),
  checkpoints,
  gcBetweenCheckpoints: gc !== undefined,
};
console.log(`pages ${pages} (skipped ${result.skipped}) in ${result.seconds} s: ${result.pagesPerSecond} pages/s, ${result.mbPerSecond} MB/s of ${result.inputMb} MB; peak RSS ${result.peakRssMb} MB`);
if (pdfPages > 0) console.log(`  of which PDF: ${pdfPages} PDF pages, ${result.pdfPagesPerSecond} PDF pages/s`);
for (const c of checkpoints) console.log(`  after ${c.pages} pages: heap ${c.heapMb} MB, rss ${c.rssMb} MB`);
await mkdir(resolve(import.meta.dirname, 'results'), { recursive: true });
await writeFile(resolve(import.meta.dirname, 'results/corpus.json'), `${JSON.stringify(result, null, 2)}\n`);
