/**
 * Opens reports in Debian's headless Chromium (driven by playwright-core) and checks what a reader sees:
 * the table, filtering and sorting, a cell's document with the value highlighted, hostile documents shown
 * as text and never run, and a 10,000-row report opening quickly. Screenshots go into the run directories.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseProgram, writeArtifact } from '../src/run/index.ts';
import { apply } from '../src/api/apply.ts';
import { makePdf } from './support/documents.ts';
import { evaluateFiles } from '../src/eval/index.ts';
import { runExtraction } from '../src/pipeline/extract.ts';
import { serveReport, writeReport } from '../src/report/index.ts';
import { HOSTILE, writeSyntheticRun, type SyntheticRun } from './fixtures/report/synthetic-run.ts';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`report browser tests skipped: ${CHROMIUM} is missing (apt-get install chromium; .ci/run installs it in CI)`);

const demo = resolve(import.meta.dirname, '../datasets/demo');
const attributes = ['title', 'director', 'release_date', 'runtime', 'genres', 'rating'];
/** Demo documents with `<script>alert('xss')</script>` or `<img onerror>`, and text their view keeps (HTML views drop scripts). */
const HOSTILE_DOCS: [string, string][] = [
  ['site-a/film-007.html', 'guest_007'],
  ['site-c/film-053.html', 'popcorn_fan'],
  ['records/film-072.txt', "<script>alert('xss')</script>"],
];
/** Set to keep the run directories (and their screenshots) for a look after the tests. */
const KEEP = process.env['EVAPORATE_KEEP_TEST_RUNS'] !== undefined;

// Callbacks passed to page.evaluate run in the page; the project's type library has no DOM, so name what they use.
interface PageNode {
  textContent: string | null;
}
declare const document: {
  querySelector(selector: string): PageNode | null;
  createRange(): { setStart(node: unknown, offset: number): void; setEndBefore(node: unknown): void; toString(): string };
};

interface CellLine {
  doc: string;
  cells: Record<string, { value: string[] | null; confidence: number; voters: string[]; spans: [number, number][]; candidates: unknown[] }>;
}

// A browser on a shared 2-core machine can be slow to start and to paint: generous limits, checked bounds inside.
describe.skipIf(!hasChromium)('the report in a browser', { timeout: 120_000 }, () => {
  let work: string;
  let browser: Browser;
  let demoRun: string;
  let demoReport: string;
  let cells: CellLine[];
  const dialogs: string[] = [];
  /** Script errors and requests leaving the page; none are expected. */
  const problems: string[] = [];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'evaporate-report-browser-'));
    demoRun = join(work, 'demo-run');
    const result = await runExtraction({ documents: join(demo, 'docs'), attributes, model: null, runDir: demoRun });
    // As bench leaves it: the table scored against the demo's gold.
    await writeArtifact(demoRun, 'evaluation', (await evaluateFiles(result.tablePath, demo)).report);
    demoReport = await writeReport(demoRun);
    cells = (await readFile(join(demoRun, 'cells.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as CellLine);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    expect(problems).toEqual([]);
    if (KEEP) console.log(`report test runs kept in ${work}`);
    else await rm(work, { recursive: true, force: true });
  });

  async function open(url: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => problems.push(`script error: ${error.message}`));
    // Nothing outside the page may load: the report is self-contained.
    await page.route(/^(?!file:|http:\/\/127\.0\.0\.1)/, async (route) => {
      problems.push(`the report tried to load ${route.request().url()}`);
      await route.abort();
    });
    await page.goto(url);
    await page.waitForSelector('html[data-ready="true"]', { timeout: 15_000 });
    return page;
  }
  const fileUrl = (path: string) => `file://${path}`;
  const rowCount = (page: Page) => page.textContent('#row-count');
  const clickCell = async (page: Page, doc: string, attribute: string) => {
    await page.fill('#search', doc);
    await page.waitForFunction((expected) => document.querySelector('#row-count')?.textContent?.startsWith('1 of') && document.querySelector('.grid-row .doc')?.textContent === expected, doc);
    await page.click(`.grid-row .cell[data-attr="${attributes.indexOf(attribute)}"]`);
    await page.waitForFunction((expected) => document.querySelector('#detail .doc-id')?.textContent === expected, doc);
  };

  it('renders the table with a column per attribute and only the visible rows', async () => {
    const page = await open(fileUrl(demoReport));
    expect(await rowCount(page)).toBe('80 of 80 rows');
    const headers = await page.$$eval('.grid-head [role="columnheader"]', (nodes) => nodes.map((node) => node.firstChild?.textContent));
    expect(headers).toEqual(['document', ...attributes]);
    const first = await page.$$eval('.grid-row', (rows) => rows.slice(0, 2).map((row) => row.querySelector('.doc')?.textContent));
    expect(first).toEqual([cells[0]?.doc, cells[1]?.doc]);
    const rendered = await page.$$eval('.grid-row', (rows) => rows.length);
    expect(rendered).toBeGreaterThan(10);
    expect(rendered).toBeLessThan(80);
    await page.close();
  });

  it('filters by text, by attribute and by low confidence, and sorts by confidence', async () => {
    const page = await open(fileUrl(demoReport));
    await page.fill('#search', 'film-00');
    await page.waitForFunction(() => document.querySelector('#row-count')?.textContent === '9 of 80 rows');
    await page.fill('#search', '');

    const title = attributes.indexOf('title');
    const low = cells.filter((line) => {
      const cell = line.cells.title!;
      return cell.confidence < 0.7 && (cell.value !== null || cell.voters.length > 0);
    });
    expect(low.length).toBeGreaterThan(0);
    await page.selectOption('#attr-filter', String(title));
    await page.selectOption('#show-filter', 'low');
    await page.waitForFunction((expected) => document.querySelector('#row-count')?.textContent === expected, `${low.length} of 80 rows`);
    // Only the rows in view exist; each must be one of the low-confidence ones.
    const shownDocs = await page.$$eval('.grid-row .doc', (nodes) => nodes.map((node) => node.textContent));
    expect(shownDocs.length).toBeGreaterThan(Math.min(low.length, 10));
    expect(low.map((line) => line.doc)).toEqual(expect.arrayContaining(shownDocs));

    const disagreed = cells.filter((line) => line.cells.genres!.candidates.length > 1).length;
    await page.selectOption('#attr-filter', String(attributes.indexOf('genres')));
    await page.selectOption('#show-filter', 'disagreed');
    await page.waitForFunction((expected) => document.querySelector('#row-count')?.textContent === expected, `${disagreed} of 80 rows`);
    expect(await page.$$eval('.grid-row .cell[data-attr="4"] .badge', (nodes) => nodes.length)).toBe(Math.min(disagreed, await page.$$eval('.grid-row', (rows) => rows.length)));

    await page.selectOption('#attr-filter', '-1');
    await page.selectOption('#show-filter', 'all');
    await page.click('.grid-head [data-col="1"]'); // director: confidence, lowest first
    const sorted = await page.$$eval('.grid-row', (rows) => rows.map((row) => row.getAttribute('data-row')));
    const confidences = sorted.map((r) => cells[Number(r)]!.cells.director!).filter((cell) => cell.value !== null || cell.voters.length > 0).map((cell) => cell.confidence);
    expect(confidences).toEqual([...confidences].sort((a, b) => a - b));
    expect(confidences[0]).toBe(Math.min(...cells.map((line) => line.cells.director!).filter((cell) => cell.voters.length > 0).map((cell) => cell.confidence)));
    await page.close();
  });

  it('shows a clicked cell\'s document with the value highlighted where it occurs, and the competing values', async () => {
    const page = await open(fileUrl(demoReport));
    // A text document's cell with competing values and a located value, in whichever attribute has one.
    const contested = (entry: (typeof cells)[number], name: string) => entry.cells[name]!.candidates.length > 1 && entry.cells[name]!.spans.length > 0;
    const attribute = attributes.slice(0, -1).find((name) => cells.some((entry) => entry.doc.endsWith('.txt') && contested(entry, name)))!;
    const line = cells.find((entry) => entry.doc.endsWith('.txt') && contested(entry, attribute))!;
    const cell = line.cells[attribute]!;
    await clickCell(page, line.doc, attribute);
    expect(await page.textContent('#detail .doc-id')).toBe(line.doc);
    const marks = await page.$$eval('#view mark.hit', (nodes) => nodes.map((node) => node.textContent));
    expect(marks).toEqual(cell.value);
    expect(await page.$$eval('#candidates tr', (rows) => rows.length - 1)).toBe(cell.candidates.length);
    // The highlight sits at the recorded offset of the view.
    const offset = await page.$eval('#view', (pre) => {
      const mark = pre.querySelector('mark.hit');
      const range = document.createRange();
      range.setStart(pre, 0);
      range.setEndBefore(mark);
      return range.toString().length;
    });
    expect(offset).toBe(cell.spans[0]![0]);
    await page.screenshot({ path: join(demoRun, 'report-cell.png') });

    // Arrow keys move the selection: right to the next attribute of the same document.
    await page.keyboard.press('ArrowRight');
    const next = attributes[attributes.indexOf(attribute) + 1]!;
    await page.waitForFunction((name) => document.querySelector('#detail h2')?.textContent === name, next);
    expect(await page.textContent('#detail .doc-id')).toBe(line.doc);
    await page.close();
  });

  it('shows documents holding script and onerror markup as text and never runs them', async () => {
    const page = await open(fileUrl(demoReport));
    for (const [doc, shown] of HOSTILE_DOCS) {
      await clickCell(page, doc, 'title');
      expect(await page.textContent('#view'), doc).toContain(shown);
      await page.waitForTimeout(100); // time for anything injected to fire
    }
    expect(await page.$$eval('#app script, #app img, #app iframe, #app object, #app [onerror], #app [onload]', (nodes) => nodes.length)).toBe(0);
    expect(dialogs).toEqual([]);
    await page.close();
  });

  describe('a 10,000-row report', () => {
    let synthetic: SyntheticRun;
    let report: string;
    beforeAll(async () => {
      synthetic = await writeSyntheticRun(join(work, 'large'));
      const started = performance.now();
      report = await writeReport(synthetic.runDir);
      console.log(`10,000-row report written in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }, 180_000);

    it('opens within a few seconds, stays small in the DOM, and scrolls to the last row', async () => {
      const started = performance.now();
      const page = await open(fileUrl(report));
      await page.waitForSelector('.grid-row');
      const seconds = (performance.now() - started) / 1000;
      console.log(`10,000-row report (${((await readFile(report)).length / 1e6).toFixed(1)} MB) opened in ${seconds.toFixed(2)} s`);
      expect(seconds).toBeLessThan(10);
      expect(await rowCount(page)).toBe('10,000 of 10,000 rows');
      expect(await page.$$eval('.grid-row', (rows) => rows.length)).toBeLessThan(100);
      await page.$eval('#grid', (grid) => {
        grid.scrollTop = grid.scrollHeight;
      });
      await page.waitForFunction(() => document.querySelector('.grid-row:last-child .doc')?.textContent === 'hostile/<svg onload=alert(1)>.txt');

      const filterStarted = performance.now();
      await page.selectOption('#attr-filter', '0');
      await page.selectOption('#show-filter', 'disagreed');
      await page.waitForFunction((expected) => document.querySelector('#row-count')?.textContent === expected, `${synthetic.disagreedNames.toLocaleString('en-US')} of 10,000 rows`);
      console.log(`filtering 10,000 rows took ${((performance.now() - filterStarted) / 1000).toFixed(2)} s`);
      await page.selectOption('#show-filter', 'all');
      await page.selectOption('#attr-filter', '-1');

      await page.fill('#search', 'docs/00003.txt');
      await page.waitForFunction(() => document.querySelector('#row-count')?.textContent === '1 of 10,000 rows');
      await page.click('.grid-row .cell[data-attr="0"]');
      expect(await page.textContent('#detail-value')).toBe(HOSTILE.value);
      expect(await page.textContent('#view mark.hit')).toBe(HOSTILE.value);
      expect(await page.textContent('#view')).toContain('characters not embedded');
      expect(await page.textContent('#notes')).toMatch(/--serve/);
      expect(dialogs).toEqual([]);
      await page.screenshot({ path: join(synthetic.runDir, 'report.png') });
      await page.click('#tab-run');
      await page.screenshot({ path: join(synthetic.runDir, 'report-run.png'), fullPage: true });
      await page.close();
    });

    it('loads whole documents on demand when served', async () => {
      const server = await serveReport(synthetic.runDir, { port: 0 });
      try {
        const page = await open(server.url);
        await page.fill('#search', 'docs/00005.txt');
        await page.waitForFunction(() => document.querySelector('#row-count')?.textContent === '1 of 10,000 rows');
        await page.click('.grid-row .cell[data-attr="0"]');
        await page.waitForFunction(() => !document.querySelector('#view-box h3')?.textContent?.includes('excerpts'));
        const view = await page.textContent('#view');
        expect(view).not.toContain('characters not embedded');
        expect(view).toContain('Record 5.');
        expect(await page.textContent('#view mark.hit')).toBe(HOSTILE.imgValue);
        expect(dialogs).toEqual([]);
        await page.close();
      } finally {
        await server.close();
      }
    });
  });

  it('renders a PDF value\'s page with its box drawn on it, when served', async () => {
    const folder = join(work, 'pdf-docs');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'invoice.pdf'), await makePdf([['ACME Supplies Ltd', 'Invoice No: INV-2041'], ['Delivery notes', 'Total: 45.00 EUR']]));
    await writeFile(join(folder, 'other.pdf'), await makePdf([['Invoice No: INV-7']]));
    const program = parseProgram({
      version: 1,
      method: 'mv',
      attributes: [{ name: 'total', functions: [{ id: 'total', source: 'function extract(doc) { var m = /Total: ([\\d.]+)/.exec(doc); return m ? m[1] : null }' }] }],
    });
    const runDir = join(work, 'pdf-run');
    await apply({ program, documents: folder, runDir, isolates: 1 });
    // An apply run records no corpus folder: served without one, the page says so instead of loading forever...
    const blind = await serveReport(runDir, { port: 0 });
    try {
      const page = await open(blind.url);
      await page.click('.grid-row .cell[data-attr="0"]');
      await page.waitForFunction(() => document.querySelector('#view-box')?.textContent?.includes('could not be loaded'));
      expect(await page.textContent('#view-box')).toContain('does not record a corpus folder');
      await page.close();
    } finally {
      await blind.close();
    }
    // ...and told where it is, it shows the document.
    const server = await serveReport(runDir, { port: 0, corpusRoot: folder });
    try {
      const page = await open(server.url);
      await page.fill('#search', 'invoice.pdf');
      await page.waitForFunction(() => document.querySelector('#row-count')?.textContent?.startsWith('1 of'));
      await page.click('.grid-row .cell[data-attr="0"]');
      await page.click('button.pdf-show');
      await page.waitForSelector('canvas.pdf-canvas[data-box]', { timeout: 30_000 }).catch(async (error: Error) => {
        throw new Error(`no page drawn: ${await page.textContent('.pdf-page')} (${error.message})`);
      });
      const drawn = await page.$eval('canvas.pdf-canvas', (canvas: any) => {
        const [x, y, w, ht] = String(canvas.getAttribute('data-box')).split(',').map(Number) as [number, number, number, number];
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data as Uint8ClampedArray;
        const at = (px: number, py: number) => Array.from(pixels.slice((Math.round(py) * canvas.width + Math.round(px)) * 4, (Math.round(py) * canvas.width + Math.round(px)) * 4 + 4));
        let dark = 0;
        for (let i = 0; i < pixels.length; i += 4) if ((pixels[i] as number) < 100 && (pixels[i + 3] as number) > 0) dark++;
        return { page: canvas.getAttribute('data-page'), box: [x, y, w, ht], corner: at(x + 1, y + 1), dark, width: canvas.width };
      });
      expect(drawn.page).toBe('2');
      expect(drawn.dark).toBeGreaterThan(100); // the page's text was drawn
      // The box sits on the page's second line ("Total: 45.00 EUR", baseline 532 of 600 pt, scale 1.5), to the right.
      const [x, y, w, ht] = drawn.box as [number, number, number, number];
      expect(y).toBeGreaterThan((600 - 532 - 14) * 1.5);
      expect(y + ht).toBeLessThan((600 - 532 + 6) * 1.5);
      expect(x).toBeGreaterThan(40 * 1.5);
      expect(w).toBeLessThan(drawn.width / 2);
      expect(drawn.corner[0]).toBeGreaterThan(180); // the outline's orange
      await page.screenshot({ path: join(runDir, 'report-pdf-page.png') });
      await page.close();
    } finally {
      await server.close();
    }
  });

  it('saves a screenshot of the demo report for a person to look at', async () => {
    const page = await open(fileUrl(demoReport));
    await clickCell(page, 'site-a/film-007.html', 'title');
    await page.fill('#search', '');
    await page.waitForFunction(() => document.querySelector('#row-count')?.textContent === '80 of 80 rows');
    const path = join(demoRun, 'report.png');
    await page.screenshot({ path });
    expect(existsSync(path)).toBe(true);
    console.log(`screenshot: ${path}`);
    await page.close();
  });
});
