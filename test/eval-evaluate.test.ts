import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  evaluateFiles,
  evaluateTable,
  loadBenchmark,
  parseCsv,
  readPredictedTable,
  renderEvaluationMarkdown,
  worstDocuments,
  type GoldTable,
  type PredictedTable,
} from '../src/eval/index.ts';

const fixtures = path.resolve(import.meta.dirname, 'fixtures/eval');
const predDir = path.join(fixtures, 'pred');
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'eval-evaluate-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('parseCsv (RFC 4180)', () => {
  it('handles quotes, doubled quotes, commas and line breaks inside quotes, CRLF and a BOM', () => {
    expect(parseCsv('\uFEFFa,b\r\n"x, ""y""","1\n2"\r\n,last\n', 't.csv')).toEqual([
      ['a', 'b'],
      ['x, "y"', '1\n2'],
      ['', 'last'],
    ]);
  });

  it('reports an unclosed quote and a stray quote', () => {
    expect(() => parseCsv('a\n"open', 't.csv')).toThrow(/t\.csv: a quoted field is not closed/);
    expect(() => parseCsv('a\nab"c', 't.csv')).toThrow(/t\.csv:2: a quote inside an unquoted field/);
  });
});

describe('readPredictedTable', () => {
  it('reads CSV, JSONL and JSON into the same table, with every column in every row', async () => {
    const csv = await readPredictedTable(path.join(predDir, 'pred.csv'));
    expect([...csv.keys()]).toEqual(['a.txt', 'docs/b.txt', 'sub/c.txt', 'extra.txt']);
    expect(csv.get('a.txt')).toEqual({ vendor: ['ACME "Corp."'], total: ['$1000'], date: ['2020-01-02'], signers: null, vendor_confidence: ['0.9'] });
    expect(csv.get('sub/c.txt')).toEqual({ vendor: null, total: null, date: ['2019-12-31'], signers: ['Bob Stone', 'Ann Lee'], vendor_confidence: ['0.7'] });
    expect(await readPredictedTable(path.join(predDir, 'pred.jsonl'))).toEqual(csv);
    expect(await readPredictedTable(path.join(predDir, 'pred.json'))).toEqual(csv);
  });

  it('reads an Evaporate-style { doc: row } JSON object', async () => {
    const file = path.join(tmp, 'map.json');
    await writeFile(file, JSON.stringify({ 'a.txt': { vendor: 'ACME' }, 'b.txt': { total: 5 } }));
    expect(await readPredictedTable(file)).toEqual(
      new Map([
        ['a.txt', { vendor: ['ACME'], total: null }],
        ['b.txt', { vendor: null, total: ['5'] }],
      ]),
    );
  });

  it('explains what is wrong with a bad table', async () => {
    const cases: [string, string, RegExp][] = [
      ['no-doc.csv', 'id,title\n1,x\n', /header has no 'doc' column \(found: id, title\)/],
      ['ragged.csv', 'doc,title\na,x,extra\n', /row 2: 3 fields, but the header has 2/],
      ['dup.jsonl', '{"doc":"a"}\n{"doc":"a"}\n', /dup\.jsonl:2: document 'a' appears in more than one row/],
      ['broken.jsonl', '{"doc":"a"}\n{oops\n', /broken\.jsonl:2: not valid JSON/],
      ['nodoc.json', '[{"title":"x"}]', /row 1: the row has no string 'doc' field/],
      ['table.xlsx', '', /unknown table format '\.xlsx'; use \.csv, \.jsonl, \.json or \.parquet/],
    ];
    for (const [name, content, message] of cases) {
      const file = path.join(tmp, name);
      await writeFile(file, content);
      await expect(readPredictedTable(file)).rejects.toThrow(message);
    }
  });
});

describe('evaluateTable', () => {
  it('scores the fixture prediction by hand-worked values', async () => {
    const [setting] = await loadBenchmark(path.join(fixtures, 'evaporate-docs'));
    const pred = await readPredictedTable(path.join(predDir, 'pred.csv'));
    const report = evaluateTable(pred, setting!.gold!);
    // vendor: 1, 1 (commas dropped, &amp; decoded), 1 (both empty).
    // total: 1 ($1000 = $1,000), 1 (both empty), 0 (gold "0", nothing predicted).
    // date: 1, 2/3 (2021 03 05 vs 2021 03 04), 1.   signers: 1, 1, 1 (a set in another order).
    expect(report.attributes.map((a) => [a.name, a.column])).toEqual([
      ['vendor', 'vendor'],
      ['total', 'total'],
      ['date', 'date'],
      ['signers', 'signers'],
    ]);
    const f1 = Object.fromEntries(report.attributes.map((a) => [a.name, a.f1]));
    expect(f1['vendor']).toBe(1);
    expect(f1['total']).toBeCloseTo(2 / 3, 10);
    expect(f1['date']).toBeCloseTo(8 / 9, 10);
    expect(f1['signers']).toBe(1);
    expect(report.averageF1).toBeCloseTo((1 + 2 / 3 + 8 / 9 + 1) / 4, 10);
    // Pair F1: 7 predicted facts, 8 gold facts, 6 shared (the b.txt date differs; c.txt total is not predicted).
    expect(report.pairs.precision).toBeCloseTo(6 / 7, 10);
    expect(report.pairs.recall).toBe(0.75);
    expect(report.missingDocuments).toEqual([]);
    expect(report.extraDocuments).toEqual(['extra.txt']);
    expect(report.matchedBySuffix).toBe(1);
    expect(report.documents.find((d) => d.doc === 'b.txt')).toMatchObject({ predDoc: 'docs/b.txt', meanF1: (3 + 2 / 3) / 4 });
    expect(worstDocuments(report, 2).map((d) => d.doc)).toEqual(['sub/c.txt', 'b.txt']);
  });

  const gold: GoldTable = {
    attributes: ['release_date', 'title'],
    rows: new Map([
      ['0000.htm', { release_date: ['2010'], title: ['Alien'] }],
      ['0001.htm', { release_date: [], title: ['Heat'] }],
      ['/data/x/0002.htm', { release_date: ['1999'], title: ['Magnolia'] }],
    ]),
  };

  it('scores documents missing from the prediction as empty and counts them, never dropping them', () => {
    const pred: PredictedTable = new Map([['0000.htm', { 'Release Date': ['2010'], title: ['Alien'] }]]);
    const report = evaluateTable(pred, gold);
    expect(report.attributes).toEqual([
      { name: 'release_date', column: 'Release Date', f1: 2 / 3, strictF1: 2 / 3 },
      { name: 'title', column: 'title', f1: 1 / 3, strictF1: 1 / 3 },
    ]);
    expect(report.missingDocuments).toEqual(['0001.htm', '/data/x/0002.htm']);
    expect(report.documents).toHaveLength(3);
  });

  it('matches gold keyed by absolute paths to short predicted ids, and scores a missing column as empty', () => {
    const pred: PredictedTable = new Map([
      ['0000.htm', { title: ['Alien'] }],
      ['0001.htm', { title: ['Heat'] }],
      ['0002.htm', { title: ['Magnolia (1999)'] }],
    ]);
    const report = evaluateTable(pred, gold);
    expect(report.missingDocuments).toEqual([]);
    expect(report.matchedBySuffix).toBe(1);
    expect(report.attributes[0]).toEqual({ name: 'release_date', column: null, f1: 1 / 3, strictF1: 1 / 3 });
    expect(report.attributes[1]!.f1).toBe(1);
  });

  it('evaluates a chosen subset of attributes and rejects unknown ones', () => {
    const pred: PredictedTable = new Map([['0000.htm', { title: ['Alien'] }]]);
    expect(evaluateTable(pred, gold, { attributes: ['Titles'] }).attributes.map((a) => a.name)).toEqual(['title']);
    expect(() => evaluateTable(pred, gold, { attributes: ['budget'] })).toThrow(/attribute 'budget' is not in the gold table \(gold attributes: release_date, title\)/);
  });
});

describe('evaluateFiles (behind `evaporate eval`)', () => {
  it('evaluates against a setting folder and renders a Markdown report with the worst documents', async () => {
    const result = await evaluateFiles(path.join(predDir, 'pred.jsonl'), path.join(fixtures, 'evaporate-docs'));
    expect(result.setting).toMatchObject({ name: 'evaporate-docs', layout: 'evaporate' });
    expect(result.warnings).toHaveLength(1);
    expect(result.report.averageF1).toBeCloseTo((1 + 2 / 3 + 8 / 9 + 1) / 4, 10);
    const md = renderEvaluationMarkdown(result, 5);
    expect(md).toContain('| **average** | | **88.9** |');
    expect(md).toContain('| total | total | 66.7 |');
    expect(md).toContain('| sub/c.txt | 75.0 | total | ∅ | 0 | 0.0 |');
    expect(md).toContain('| b.txt | 91.7 | date | 2021-03-05 | 2021-03-04 | 66.7 |');
    expect(md).toContain('warning: 1 of 4 gold records name no document');
  });

  it('evaluates against a bare gold JSON file without documents', async () => {
    const result = await evaluateFiles(path.join(predDir, 'pred.csv'), path.join(fixtures, 'evaporate-docs/table.json'));
    expect(result.setting).toBeNull();
    // The gold record for missing.txt now counts: scored empty against vendor "Nobody".
    expect(result.report.missingDocuments).toEqual(['missing.txt']);
    expect(result.report.documents).toHaveLength(4);
  });

  it('asks for one setting when the gold folder holds several or none', async () => {
    await expect(evaluateFiles(path.join(predDir, 'pred.csv'), fixtures, { cacheDir: path.join(tmp, 'cache') })).rejects.toThrow(
      /found 3 settings with gold \(evaporate-docs, evaporate-tar, book-shop\); point the gold path at one setting/,
    );
    await expect(evaluateFiles(path.join(predDir, 'pred.csv'), path.join(fixtures, 'plain'))).rejects.toThrow(/found no gold/);
  });
});

describe('evaluateOpenTable', () => {
  it('counts every predicted triple, matches names leniently, and scores the discovered schema', async () => {
    const { evaluateOpenTable } = await import('../src/eval/index.ts');
    const gold = {
      attributes: ['title', 'release_date'],
      rows: new Map<string, Record<string, string[]>>([
        ['a.html', { title: ['Alpha'], release_date: ['2020-01-01'] }],
        ['b.html', { title: ['Beta'], release_date: [] }],
      ]),
    };
    const pred = new Map<string, Record<string, string[] | null>>([
      ['a.html', { Title: ['Alpha'], 'release date': ['2020-01-01'], studio: ['Acme'] }],
      ['b.html', { Title: ['Gamma'], 'release date': null, studio: ['Acme'] }],
    ]);
    const result = evaluateOpenTable(pred, gold, ['Title', 'studio', 'release date']);
    // Predicted facts: Alpha, 2020-01-01, Acme, Gamma, Acme (b) -> 5, of which 2 are gold; gold facts: 3 non-empty (+ b's empty date).
    expect(result.pairs.precision).toBeCloseTo(2 / 5);
    expect(result.pairs.recall).toBeGreaterThan(0);
    expect(result.k).toBe(2);
    expect(result.schema.precision).toBeCloseTo(1 / 2); // top 2: Title, studio
    expect(result.schema.recall).toBeCloseTo(1 / 2);
  });
});
