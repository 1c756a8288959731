import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCorpus, parseConverter, type CorpusDocument } from '../src/corpus/index.ts';
import { PAGE_BREAK } from '../src/corpus/pdf.ts';
import { apply } from '../src/api/apply.ts';
import { applyProgram } from '../src/pipeline/apply-program.ts';
import { loadReportData } from '../src/report/load.ts';
import { parseProgram, type ResultRow } from '../src/run/index.ts';
import { makeDocx, makeEncryptedPdf, makePdf, makeTwoColumnPdf, makeUnicodePdf, UNICODE_FONT } from './support/documents.ts';
import { pdfText } from '../src/corpus/pdf.ts';
import { PDFDocument, StandardFonts } from 'pdf-lib';

const folder = mkdtempSync(path.join(tmpdir(), 'evaporate-documents-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

beforeAll(async () => {
  writeFileSync(
    path.join(folder, 'invoice.pdf'),
    await makePdf([
      ['ACME Supplies Ltd', 'Invoice No: INV-2041', 'This agree-', 'ment is binding.'],
      ['Delivery notes', 'Total: 45.00 EUR'],
    ]),
  );
  writeFileSync(path.join(folder, 'scan.pdf'), await makePdf([[]]));
  writeFileSync(path.join(folder, 'locked.pdf'), await makeEncryptedPdf());
  writeFileSync(path.join(folder, 'broken.pdf'), Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2000, 0x07), Buffer.from('\x00garbage')]));
  writeFileSync(path.join(folder, 'letter.docx'), makeDocx(['Dear customer,', 'Invoice No: INV-3001', 'Total: 12.50 EUR']));
  writeFileSync(path.join(folder, 'not-word.docx'), Buffer.from('PK\u0003\u0004 not really a zip'));
});

async function load() {
  const corpus = await openCorpus(folder);
  const docs = new Map<string, CorpusDocument>();
  for await (const doc of corpus.views()) docs.set(doc.id, doc);
  return { corpus, docs, skipped: new Map(corpus.skipped.map((skip) => [skip.id, skip])) };
}

describe('PDF and Word documents', () => {
  it('reads a PDF\'s text in reading order, with a marker between pages and where each page starts', async () => {
    const { docs } = await load();
    const pdf = docs.get('invoice.pdf')!;
    expect(pdf.format).toBe('text');
    expect(pdf.view).toBe(['ACME Supplies Ltd', 'Invoice No: INV-2041', 'This agreement is binding.', PAGE_BREAK, 'Delivery notes', 'Total: 45.00 EUR'].join('\n'));
    expect(pdf.pages).toEqual([0, pdf.view.indexOf('Delivery notes')]);
  });

  it('reads a two-column page column by column, and keeps a form\'s labels on the lines of their values', async () => {
    const prose = (side: string) => Array.from({ length: 8 }, (_, i) => `${side} column line ${i + 1} of wrapped text here`);
    const columns = await pdfText(await makeTwoColumnPdf(prose('Left'), prose('Right')));
    expect(columns).toMatchObject({ view: [...prose('Left'), ...prose('Right')].join('\n'), pages: [0] });
    const labels = ['Invoice', 'Date', 'Customer', 'Subtotal', 'Tax', 'Total', 'Paid', 'Due', 'Terms', 'Reference'];
    const values = ['INV-7', '2024-01-05', 'ACME', '10.00', '2.00', '12.00', '12.00', '0.00', '30 days', 'PO-1'];
    const form = await pdfText(await makeTwoColumnPdf(labels, values));
    expect(form).toMatchObject({ view: labels.map((label, i) => `${label} ${values[i]}`).join('\n'), pages: [0] });
  });

  it.skipIf(UNICODE_FONT === null)('reads non-Latin text from a PDF with an embedded font (Greek, Cyrillic, diacritics)', async () => {
    const lines = ['Σύμβαση εμπιστευτικότητας', 'Договор о неразглашении', 'Ημερομηνία: 12 Μαΐου 2021', 'Стороны: ООО «Ромашка» и АО «Вектор»', 'Straße 5, Łódź, Ærøskøbing, São Paulo'];
    const read = await pdfText(await makeUnicodePdf(lines, UNICODE_FONT!));
    expect(read).toMatchObject({ view: lines.join('\n'), pages: [0] });
  });
  if (UNICODE_FONT === null) console.log('corpus-documents.test: DejaVu Sans not installed (fonts-dejavu-core); the non-Latin PDF test skips');

  it('reads a Word document through its HTML', async () => {
    const { docs } = await load();
    const docx = docs.get('letter.docx')!;
    expect(docx.format).toBe('html');
    expect(docx.view).toBe('<p>Dear customer,</p>\n<p>Invoice No: INV-3001</p>\n<p>Total: 12.50 EUR</p>');
  });

  it('records a PDF without a text layer, an encrypted or corrupt PDF and a broken Word file as skips that say why', async () => {
    const { skipped, docs } = await load();
    expect(skipped.get('locked.pdf')).toMatchObject({ reason: 'unparseable', detail: 'the PDF is encrypted (needs a password)' });
    expect(skipped.get('scan.pdf')).toMatchObject({ reason: 'empty', detail: expect.stringContaining('OCR it first') });
    expect(skipped.get('broken.pdf')).toMatchObject({ reason: 'unparseable', detail: expect.stringMatching(/PDF/) });
    expect(skipped.get('not-word.docx')).toMatchObject({ reason: 'unparseable', detail: expect.stringContaining('not a readable Word document') });
    expect([...docs.keys()].sort()).toEqual(['invoice.pdf', 'letter.docx']);
  });

  it('gives each value of a PDF the page it is on, in cells.jsonl and on the review page', async () => {
    const { corpus } = await load();
    const program = parseProgram({
      version: 1,
      method: 'mv',
      attributes: [
        { name: 'invoice', functions: [{ id: 'invoice', source: 'function extract(doc) { var m = /Invoice No: (\\S+)/.exec(doc); return m ? m[1] : null }' }] },
        { name: 'total', functions: [{ id: 'total', source: 'function extract(doc) { var m = /Total: ([\\d.]+)/.exec(doc); return m ? m[1] : null }' }] },
      ],
    });
    const rows: ResultRow[] = [];
    await applyProgram(program, corpus, (row) => void rows.push(row), { isolates: 1 });
    const pdf = rows.find((row) => row.doc === 'invoice.pdf')!;
    const docx = rows.find((row) => row.doc === 'letter.docx')!;
    expect(pdf.cells.invoice).toMatchObject({ value: ['INV-2041'], page: 1 });
    expect(pdf.cells.total).toMatchObject({ value: ['45.00'], page: 2 });
    // Boxes: "Invoice No: INV-2041" is drawn at x 40, baseline 532 (12 pt); the value is its last 8 of 20 characters.
    const font = await (await PDFDocument.create()).embedFont(StandardFonts.Helvetica);
    const width = font.widthOfTextAtSize('Invoice No: INV-2041', 12);
    const [x0, y0, x1, y1] = pdf.cells.invoice!.box!;
    expect(y0).toBeCloseTo(532, 0);
    expect(y1 - y0).toBeGreaterThan(8);
    // Within a few points: pdf.js reports item widths from the font's advances, and the split is by characters.
    expect(Math.abs(x1 - (40 + width))).toBeLessThan(4);
    expect(Math.abs(x0 - (40 + (width * 12) / 20))).toBeLessThan(8);
    expect(pdf.cells.total!.box![1]).toBeCloseTo(532, 0);
    expect(docx.cells.total!.box).toBeUndefined();
    expect(docx.cells.total).toMatchObject({ value: ['12.50'] });
    expect(docx.cells.total!.page).toBeUndefined();

    const runDir = path.join(folder, '..', `${path.basename(folder)}-run`);
    try {
      await apply({ program, documents: folder, runDir, isolates: 1 });
      const { data } = await loadReportData(runDir);
      const totalColumn = data.attributes.findIndex((attribute) => attribute.name === 'total');
      expect(data.rows.find((row) => row.d === 'invoice.pdf')!.c[totalColumn]).toMatchObject({ v: ['45.00'], p: 2 });
    } finally {
      rmSync(runDir, { recursive: true, force: true });
    }
  });
});

describe('external converters', () => {
  const converted = mkdtempSync(path.join(tmpdir(), 'evaporate-convert-'));
  afterAll(() => rmSync(converted, { recursive: true, force: true }));

  it('read files of their extension through the command, on this thread and on view threads alike, and a failing or silent one costs its file only', async () => {
    for (let i = 0; i < 20; i++) writeFileSync(path.join(converted, `note-${i}.up`), `total: ${i}.50 eur\n`);
    writeFileSync(path.join(converted, "it's quoted.up"), 'name with a quote\n');
    writeFileSync(path.join(converted, 'page.web'), 'ignored');
    writeFileSync(path.join(converted, 'plain.txt'), 'left to the built-in reader\n');
    writeFileSync(path.join(converted, 'bad.fail'), 'x');
    writeFileSync(path.join(converted, 'quiet.none'), 'x');
    const converters = [
      parseConverter(".up=tr a-z A-Z < {}"),
      parseConverter("web=printf '<html><body><h1>From %s</h1></body></html>' \"$(basename {})\""),
      parseConverter('.fail=echo "cannot read this" >&2; exit 3 # {}'),
      parseConverter('.none=true {}'),
    ];
    const corpus = await openCorpus(converted, { converters });
    const read = async (threads: number) => {
      const views = new Map<string, CorpusDocument>();
      for await (const doc of corpus.views(undefined, { threads })) views.set(doc.id, doc);
      return views;
    };
    for (const threads of [1, 2]) {
      const views = await read(threads);
      expect(views.get('note-7.up')?.view).toBe('TOTAL: 7.50 EUR');
      expect(views.get("it's quoted.up")?.view).toBe('NAME WITH A QUOTE');
      expect(views.get('page.web')).toMatchObject({ format: 'html', view: '<h1>From page.web</h1>' });
      expect(views.get('plain.txt')?.view).toBe('left to the built-in reader');
    }
    const skips = new Map(corpus.skipped.map((skip) => [skip.id, skip]));
    expect(skips.get('bad.fail')).toMatchObject({ reason: 'unparseable', detail: expect.stringMatching(/exit 3\): cannot read this/) });
    expect(skips.get('quiet.none')).toMatchObject({ reason: 'unparseable', detail: expect.stringContaining('wrote nothing') });
    expect(() => parseConverter('.rtf=pandoc')).toThrow(/\{\} for the file/);
  }, 60_000);

  it('stops a converter that takes too long', async () => {
    const { convertFile } = await import('../src/corpus/convert.ts');
    writeFileSync(path.join(converted, 'slow.wait'), 'x');
    const started = Date.now();
    const result = await convertFile(parseConverter('.wait=sleep 30; cat {}'), path.join(converted, 'slow.wait'), 1_000_000, 300);
    expect(result).toEqual({ skip: expect.stringContaining('took over 300 ms') });
    expect(Date.now() - started).toBeLessThan(10_000);
    // What the shell started is stopped with it.
    await new Promise((done) => setTimeout(done, 200));
    expect(spawnSync('pgrep', ['-f', 'sleep 30; cat']).stdout.toString().trim()).toBe('');
  });
});
