import { load } from 'cheerio';
import { describe, expect, it } from 'vitest';
import { buildView, type CorpusDocument } from '../src/corpus/index.ts';
import { hostLibrary } from '../src/sandbox/index.ts';
import { synthesizeBuiltin } from '../src/synthesis/builtin/index.ts';
import type { AttributeSpec } from '../src/core/attributes.ts';
import type { CandidateFunction } from '../src/synthesis/types.ts';

/** Runs a candidate the way the sandbox will: source + `return extract`, called with the view, a `$` and the library. */
function run(candidate: CandidateFunction, doc: CorpusDocument, withDom = true): unknown {
  const extract = new Function(`${candidate.source}\nreturn extract;`)() as (view: string, $: unknown, lib: unknown) => unknown;
  const $ = withDom && doc.format === 'html' ? load(doc.view) : undefined;
  return extract(doc.view, $, hostLibrary());
}

function doc(id: string, content: string, format: 'html' | 'text'): CorpusDocument {
  const view = buildView(content, format);
  return { id, path: '', format, bytes: view.length, view };
}

const same = (value: unknown, expected: string | string[]): boolean =>
  JSON.stringify(Array.isArray(value) ? [...value].sort() : value) ===
  JSON.stringify(Array.isArray(expected) ? [...expected].sort() : expected);

/** The candidates that give the expected value on every document. */
function winners(candidates: CandidateFunction[], docs: CorpusDocument[], expected: (string | string[])[]): CandidateFunction[] {
  return candidates.filter((c) => docs.every((d, i) => same(run(c, d), expected[i]!)));
}

// Invented product pages: one template, three products.
interface Product {
  name: string;
  maker: string;
  released: string;
  iso: string;
  price: string;
  designers: string[];
  email: string;
  isbn: string;
}
const products: Product[] = [
  { name: 'Blue Kettle Deluxe', maker: 'Hearthware Ltd', released: 'March 3, 2021', iso: '2021-03-03', price: '49.99', designers: ['Ana Porto', 'Lee Chan'], email: 'help@hearthware.example', isbn: '9780306406157' },
  { name: 'Copper Whisk', maker: 'Pan & Ladle Co', released: 'July 19, 2019', iso: '2019-07-19', price: '12.50', designers: ['Mo Ferris'], email: 'care@panladle.example', isbn: '9781566199094' },
  { name: 'Granite Mortar', maker: 'Stoneworks GmbH', released: 'January 8, 2020', iso: '2020-01-08', price: '31.00', designers: ['Ida Holm', 'Rafe Lund'], email: 'info@stoneworks.example', isbn: '9780140449136' },
  { name: 'Oak Spoon Set', maker: 'Greenfield Goods', released: 'May 30, 2018', iso: '2018-05-30', price: '8.75', designers: ['Tove Sand'], email: 'hello@greenfield.example', isbn: '9780262033848' },
];

function productPage(p: Product, i: number): CorpusDocument {
  const html = `<!DOCTYPE html><html><head><title>${p.name} | Kitchen Things</title>
<meta property="og:title" content="${p.name}"><meta name="viewport" content="width=device-width">
<script type="application/ld+json">{"@type":"Product","name":"${p.name}","brand":{"@type":"Brand","name":"${p.maker}"}}</script>
</head><body><nav><a href="/">Home</a> | <a href="/shop">Shop</a></nav>
<h1>${p.name}</h1>
<table class="specs"><tr><th>Manufacturer</th><td>${p.maker}</td></tr>
<tr><th>Release date</th><td>${p.released}</td></tr><tr><th>Our price</th><td>$${p.price}</td></tr></table>
<dl><dt>Designers</dt><dd>${p.designers.join(' and ')}</dd></dl>
<p><span class="label">Contact:</span> <a href="mailto:${p.email}">${p.email}</a></p>
<ul><li><b>ISBN</b>: ${p.isbn}</li><li><b>Pub. Date</b>: ${p.released}</li></ul>
<div class="reviews"><p>Posted on ${i + 1}/02/2023 by a customer</p></div>
</body></html>`;
  return doc(`page-${i}.html`, html, 'html');
}

const pages = products.map(productPage);
const sample = pages.slice(0, 3);
const heldOut = pages[3]!;

describe('synthesizeBuiltin on invented product pages', () => {
  const specs: [AttributeSpec, (p: Product) => string | string[]][] = [
    [{ name: 'title' }, (p) => p.name],
    [{ name: 'manufacturer' }, (p) => p.maker],
    [{ name: 'release_date' }, (p) => p.released],
    [{ name: 'price' }, (p) => p.price],
    [{ name: 'designers' }, (p) => p.designers],
    [{ name: 'contact_email' }, (p) => p.email],
    [{ name: 'isbn' }, (p) => p.isbn],
    [{ name: 'publication_date', form: 'YYYY-MM-DD' }, (p) => p.iso],
  ];

  for (const [spec, expected] of specs) {
    it(`finds ${spec.name} on the sample and on a page it did not see`, () => {
      const candidates = synthesizeBuiltin(spec, sample);
      const good = winners(candidates, pages, products.map(expected));
      expect(good.map((c) => c.strategy), `no candidate for ${spec.name}; strategies: ${candidates.map((c) => c.strategy).join(', ')}`).not.toEqual([]);
    });
  }

  it('gives ids, origin and strategy as the contract says, within the cap and without duplicate sources', () => {
    const candidates = synthesizeBuiltin({ name: 'release_date' }, sample);
    expect(candidates.length).toBeGreaterThan(5);
    expect(candidates.length).toBeLessThanOrEqual(30);
    candidates.forEach((c, i) => {
      expect(c.id).toBe(`release_date-b${i + 1}`);
      expect(c.attribute).toBe('release_date');
      expect(c.origin).toBe('builtin');
      expect(c.strategy).toMatch(/^[a-z][\w:-]*$/);
    });
    expect(new Set(candidates.map((c) => c.source)).size).toBe(candidates.length);
    expect(synthesizeBuiltin({ name: 'release_date' }, sample, { maxCandidates: 4 })).toHaveLength(4);
    expect(() => synthesizeBuiltin({ name: 'release_date' }, sample, { maxCandidates: 0 })).toThrow(/maxCandidates/);
    expect(() => synthesizeBuiltin({ name: '__' }, sample)).toThrow(/readable name/);
  });

  it('uses several strategies: label positions, markup and value patterns', () => {
    const strategies = (name: string): string[] => synthesizeBuiltin({ name }, sample).map((c) => c.strategy.split(':')[0]!);
    expect(strategies('manufacturer')).toEqual(expect.arrayContaining(['learned-table-cell']));
    expect(strategies('title')).toEqual(expect.arrayContaining(['meta', 'jsonld']));
    expect(strategies('designers')).toEqual(expect.arrayContaining(['label-next']));
    const all = new Set(['release_date', 'price', 'contact_email', 'isbn'].flatMap(strategies));
    expect([...all]).toEqual(expect.arrayContaining(['learned-label-line', 'type', 'context']));
  });

  it('keeps at most two variants of a strategy that agree on every sample document, and none that repeat one value everywhere', () => {
    for (const name of ['title', 'manufacturer', 'release_date', 'designers']) {
      // Generic layouts kept for documents unlike the sample give nothing on it; they are not twins.
      const runs = synthesizeBuiltin({ name }, sample)
        .map((c) => ({ base: c.strategy.split(':')[0]!, outputs: sample.map((d) => run(c, d)) }))
        .filter((r) => r.outputs.some((v) => v !== null));
      const groups = new Map<string, number>();
      for (const r of runs) {
        const key = `${r.base} ${JSON.stringify(r.outputs)}`;
        groups.set(key, (groups.get(key) ?? 0) + 1);
      }
      expect(Math.max(...groups.values()), name).toBeLessThanOrEqual(2);
      // The nav bar's "Home | Shop" is the same on every page: no candidate should return one value everywhere.
      expect(runs.filter((r) => r.outputs.every((v) => JSON.stringify(v) === JSON.stringify(r.outputs[0])))).toEqual([]);
    }
  });

  it('learns a label the synonym table does not list from how the sample writes it', () => {
    const candidates = synthesizeBuiltin({ name: 'publication_date' }, sample);
    const learned = candidates.filter((c) => c.strategy.startsWith('learned-') && c.source.includes('Pub'));
    expect(learned.length).toBeGreaterThan(0);
    expect(winners(learned, pages, products.map((p) => p.released)).length).toBeGreaterThan(0);
  });

  it('writes short sources over the sandbox library that run with or without $ and return only strings, lists or null', () => {
    const names = ['title', 'manufacturer', 'release_date', 'price', 'designers', 'contact_email', 'isbn', 'phone', 'year', 'runtime'];
    for (const name of names) {
      for (const candidate of synthesizeBuiltin({ name }, sample)) {
        expect(candidate.source).toMatch(/^function extract\(doc, \$, lib\) \{/);
        expect(candidate.source.split('\n').length, candidate.source).toBeLessThanOrEqual(40);
        expect(candidate.source).not.toMatch(/\b(?:require|process|globalThis|import|eval|Function|fetch|setTimeout)\b/);
        for (const page of [...pages, doc('plain.txt', 'Nothing here.', 'text')]) {
          for (const withDom of [true, false]) {
            const value = run(candidate, page, withDom);
            const ok = value === null || typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
            expect(ok, `${candidate.id} (${candidate.strategy}) returned ${JSON.stringify(value)}`).toBe(true);
          }
        }
      }
    }
  });

  it('still writes generic candidates when the sample is empty', () => {
    const candidates = synthesizeBuiltin({ name: 'manufacturer' }, []);
    expect(candidates.length).toBeGreaterThan(0);
    expect(candidates.some((c) => c.strategy === 'table-cell')).toBe(true);
    expect(winners(candidates, [heldOut], [products[3]!.maker]).length).toBeGreaterThan(0);
  });
});

// Invented receipts: labels on lines, a rounded total, a header with name and address.
const receipts = [
  { company: 'NORTHWIND TRADING LLC', street: '12 HARBOUR ROAD', city: 'SPRINGFIELD 12345', date: '14/03/2022', total: '20.40', phone: '555-0100-22' },
  { company: 'BLUEBELL BAKERY', street: 'NO. 7, MILL LANE', city: 'EASTON 54321', date: '02/11/2021', total: '8.90', phone: '555-0199-01' },
  { company: 'ACORN HARDWARE SDN BHD', street: 'LOT 5, JALAN BESI 2', city: '43000 KAJANG', date: '30/06/2020', total: '112.00', phone: '03-8737 1234' },
  { company: 'PEBBLE CAFE', street: '88 RIVER STREET', city: 'LAKEVIEW 60601', date: '09/09/2019', total: '15.60', phone: '555-0123-45' },
].map((r, i) => ({
  ...r,
  doc: doc(
    `receipt-${i}.txt`,
    `${r.company}\n${r.street},\n${r.city}\nTEL: ${r.phone}\nTAX INVOICE\nINVOICE NO: A-10${i}\nDATE: ${r.date} 10:1${i}\nITEM A 2 X 3.50 7.00\n` +
      `SUBTOTAL ${r.total}\nTAX 0.00\nTOTAL: ${r.total}\nCASH 200.00\nCHANGE 1.00\nTHANK YOU`,
    'text',
  ),
}));

describe('synthesizeBuiltin on invented receipts (text views)', () => {
  const docs = receipts.map((r) => r.doc);
  const cases: [AttributeSpec, (r: (typeof receipts)[number]) => string][] = [
    [{ name: 'company' }, (r) => r.company],
    [{ name: 'address' }, (r) => `${r.street}, ${r.city}`],
    [{ name: 'date' }, (r) => r.date],
    [{ name: 'total' }, (r) => r.total],
    [{ name: 'phone' }, (r) => r.phone],
  ];
  for (const [spec, expected] of cases) {
    it(`finds ${spec.name}`, () => {
      const candidates = synthesizeBuiltin(spec, docs.slice(0, 3));
      expect(winners(candidates, docs, receipts.map(expected)).length, candidates.map((c) => c.strategy).join(', ')).toBeGreaterThan(0);
    });
  }

  it('normalizes dates to the form the attribute asks for', () => {
    const candidates = synthesizeBuiltin({ name: 'date', form: 'YYYY-MM-DD' }, docs.slice(0, 3));
    expect(winners(candidates, docs, ['2022-03-14', '2021-11-02', '2020-06-30', '2019-09-09']).length).toBeGreaterThan(0);
  });
});

// Invented agreements: prose whose values run over line breaks.
const contracts = [
  { date: 'March 5, 2019', iso: '2019-03-05', a: 'Orion Widgets, Inc.', b: 'Blue Harbor LLC', years: 'two (2) years', term: '2 years', law: 'New York' },
  { date: 'the 12th day of August, 2015', iso: '2015-08-12', a: 'Kestrel Systems Corporation', b: 'Maple Leaf Partners LP', years: 'eighteen months', term: '18 months', law: 'Delaware' },
  { date: 'November 1, 2020', iso: '2020-11-01', a: 'Tern Analytics Ltd.', b: 'Juniper Bio, Inc.', years: 'three (3) years', term: '3 years', law: 'California' },
].map((c, i) => ({
  ...c,
  doc: doc(
    `nda-${i}.txt`,
    `MUTUAL CONFIDENTIALITY AGREEMENT\nThis Mutual Confidentiality Agreement (the "Agreement") is made as of ${c.date} by and between ${c.a}, a Delaware\n` +
      `corporation ("First"), and ${c.b} ("Second"). The parties wish to exchange information.\n` +
      `1. Term. The obligations of this Agreement survive for a period of ${c.years} from the date hereof.\n` +
      `2. Governing Law. This Agreement shall be governed by and construed in accordance with the laws of the State of\n${c.law} without regard to conflicts of law.\n` +
      `IN WITNESS WHEREOF the parties sign below.`,
    'text',
  ),
}));

describe('synthesizeBuiltin on invented agreements (prose)', () => {
  const docs = contracts.map((c) => c.doc);
  const cases: [AttributeSpec, (c: (typeof contracts)[number]) => string | string[]][] = [
    [{ name: 'effective_date', form: 'YYYY-MM-DD' }, (c) => c.iso],
    [{ name: 'party' }, (c) => [c.a, c.b]],
    [{ name: 'term' }, (c) => c.term],
    [{ name: 'jurisdiction' }, (c) => c.law],
  ];
  for (const [spec, expected] of cases) {
    it(`finds ${spec.name}`, () => {
      const candidates = synthesizeBuiltin(spec, docs.slice(0, 2));
      expect(winners(candidates, docs, contracts.map(expected)).length, candidates.map((c) => c.strategy).join(', ')).toBeGreaterThan(0);
    });
  }
});
