/**
 * The loaders and metrics on the real benchmark copies in ../shared/datasets (read-only, never in
 * the repository). A fresh clone does not have them: these tests then skip and say so.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateTable, listDocuments, loadBenchmark, type BenchmarkSetting, type PredictedTable } from '../src/eval/index.ts';

const datasets = path.resolve(import.meta.dirname, '../../shared/datasets');
const present = existsSync(datasets);
if (!present) console.warn(`eval-datasets: ${datasets} is absent, so the tests on real benchmark data are skipped`);

async function only(target: string): Promise<BenchmarkSetting> {
  const settings = await loadBenchmark(path.join(datasets, target));
  expect(settings).toHaveLength(1);
  return settings[0]!;
}

/** The gold itself as a prediction (a perfect run), or with every cell empty (a run that finds nothing). */
function goldAsPrediction(setting: BenchmarkSetting, empty = false): PredictedTable {
  return new Map([...setting.gold!.rows].map(([doc, row]) => [doc, Object.fromEntries(Object.entries(row).map(([a, v]) => [a, empty ? null : v]))]));
}

describe.skipIf(!present)('real datasets in ../shared/datasets', () => {
  describe('SWDE book-booksamillion (original SWDE layout)', () => {
    const site = 'swde/book/book-booksamillion(2000)';

    it('loads the same setting from the SWDE root, the vertical and the site folder', async () => {
      for (const target of ['swde', 'swde/book', site]) {
        const s = await only(target);
        expect(s).toMatchObject({ name: 'book-booksamillion', layout: 'swde', docsRoot: path.join(datasets, site), warnings: [] });
        expect(s.attributes).toEqual(['author', 'isbn_13', 'publication_date', 'publisher', 'title']);
      }
    });

    it('has 2000 pages, each with gold, and spot-checked values for all five attributes', async () => {
      const s = await only(site);
      const docs = await listDocuments(s.docsRoot);
      expect(docs).toHaveLength(2000);
      expect(docs[0]).toBe('0000.htm');
      expect(docs[1999]).toBe('1999.htm');
      expect([...s.gold!.rows.keys()].sort()).toEqual(docs);
      expect((await readFile(path.join(s.docsRoot, '0000.htm'), 'utf8')).startsWith('\uFEFF<base href="http://www.booksamillion.com/product/9780316125581"/>')).toBe(true);

      const rows = s.gold!.rows;
      expect(rows.get('0000.htm')).toEqual({
        title: ['The Short Second Life of Bree Tanner - An Eclipse Novella'],
        author: ['Stephenie Meyer'],
        isbn_13: [': 9780316125581'],
        publisher: [': Hachette Book Group'],
        publication_date: [': June 2010'],
      });
      expect(rows.get('0002.htm')!.author).toEqual(['Glenn Beck', 'Kevin Balfe', 'Emily Bestler', 'Jack Henderson']);
      expect(rows.get('0052.htm')).toMatchObject({ title: ['The Big Short'], publisher: [': W. W. Norton & Company'], publication_date: [': March 2010'] });
      expect(rows.get('1999.htm')).toMatchObject({ title: ['Off Season'], author: ['Anne Rivers Siddons'], isbn_13: [': 9780446698290'] });
      // The counts line of the author file says 2645 values over 2000 pages.
      expect([...rows.values()].reduce((n, r) => n + r['author']!.length, 0)).toBe(2645);
    });

    it('scores the gold against itself as 1, and the SWDE prefix rule on a real title', async () => {
      const s = await only(site);
      expect(evaluateTable(goldAsPrediction(s), s.gold!).averageF1).toBe(1);
      const pred = goldAsPrediction(s);
      pred.set('0000.htm', { ...pred.get('0000.htm')!, title: ['The Short Second Life of Bree Tanner - An Eclipse Novella (Hardcover)'] });
      const report = evaluateTable(pred, s.gold!);
      expect(report.documents.find((d) => d.doc === '0000.htm')!.cells['title']!.f1).toBe(1);
    });
  });

  describe('Kleister-NDA train (Evaporate layout)', () => {
    it('has 254 documents with gold and spot-checked values', async () => {
      const s = await only('kleister-nda-train');
      expect(s).toMatchObject({ layout: 'evaporate', docsRoot: path.join(datasets, 'kleister-nda-train/docs'), warnings: [] });
      expect(await listDocuments(s.docsRoot)).toHaveLength(254);
      expect(s.gold!.rows.size).toBe(254);
      expect(s.attributes).toEqual(['effective_date', 'jurisdiction', 'party', 'term']);
      expect(s.gold!.rows.get('00a1d238e37ac225b8045a97953e845d.txt')).toEqual({
        effective_date: ['2001-04-18'],
        jurisdiction: ['Oregon'],
        party: ['Eric Dean Sprunk', 'Nike Inc.'],
        term: [],
      });
      expect(s.gold!.rows.get('031470434423a8c40105a4b404ced88b.txt')).toMatchObject({ party: ['Kite Pharma Inc.', 'Gilead Sciences Inc.'], term: ['7 years'] });
      expect(s.gold!.rows.get('232b3bee703427df8e9893e4a52d5d60.txt')!.party).toEqual([]);
    });

    it('gives an empty prediction the share of documents whose gold is empty', async () => {
      const s = await only('kleister-nda-train');
      const report = evaluateTable(goldAsPrediction(s, true), s.gold!);
      // Values present: jurisdiction 254, party 252, effective_date 175, term 82 of 254 documents.
      const f1 = Object.fromEntries(report.attributes.map((a) => [a.name, a.f1]));
      expect(f1).toEqual({ effective_date: 79 / 254, jurisdiction: 0, party: 2 / 254, term: 172 / 254 });
    });
  });

  describe('SROIE receipts (Evaporate layout)', () => {
    it('has 400 documents with gold and spot-checked values', async () => {
      const s = await only('sroie-receipts');
      expect(s).toMatchObject({ layout: 'evaporate', warnings: [] });
      expect(await listDocuments(s.docsRoot)).toHaveLength(400);
      expect(s.gold!.rows.size).toBe(400);
      expect(s.attributes).toEqual(['address', 'company', 'date', 'total']);
      expect(s.gold!.rows.get('000.txt')).toEqual({
        address: ['NO.53 55,57 & 59, JALAN SAGU 18, TAMAN DAYA, 81100 JOHOR BAHRU, JOHOR.'],
        company: ['BOOK TA .K (TAMAN DAYA) SDN BHD'],
        date: ['25/12/2018'],
        total: ['9.00'],
      });
      expect(s.gold!.rows.get('002.txt')).toMatchObject({ company: ['MR D.I.Y. (JOHOR) SDN BHD'], date: ['12-01-19'], total: ['33.90'] });
      expect(s.gold!.rows.get('104.txt')!.address).toEqual([]);
      expect(evaluateTable(goldAsPrediction(s), s.gold!).averageF1).toBe(1);
    });
  });

  it('finds all three settings from the datasets root', async () => {
    const settings = await loadBenchmark(datasets);
    expect(settings.map((s) => `${s.layout}:${s.name}:${s.gold?.rows.size}`)).toEqual([
      'evaporate:kleister-nda-train:254',
      'evaporate:sroie-receipts:400',
      'swde:book-booksamillion:2000',
    ]);
  });
});
