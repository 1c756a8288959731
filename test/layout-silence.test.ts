/**
 * Per-layout trust (#17.3): a function the sample showed wrong on one layout, where another function was right,
 * does not vote on that layout's documents.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layoutSilences } from '../src/aggregate/index.ts';
import { encodeSignature, layoutSignature, openCorpus, type Corpus, type CorpusDocument } from '../src/corpus/index.ts';
import { applyProgram } from '../src/pipeline/apply-program.ts';
import type { Program, ResultRow } from '../src/run/index.ts';

describe('layoutSilences', () => {
  const layoutOf = new Map([
    ['a1', 'L1'],
    ['a2', 'L1'],
    ['b1', 'L2'],
    ['b2', 'L2'],
    ['c1', 'L3'],
  ]);
  it('silences a function wrong on every labelled document of a layout where another is right', () => {
    const silences = layoutSilences(layoutOf, ['a1', 'a2', 'b1', 'b2', 'c1'], [
      { id: 'broad', hits: ['a1', 'a2', 'c1'] },
      { id: 'narrow', hits: ['b2'] },
    ]);
    expect(Object.fromEntries(silences)).toEqual({ broad: ['L2'], narrow: ['L1'] });
  });
  it('judges no function on a layout with one labelled document, or where no function is right', () => {
    expect(layoutSilences(layoutOf, ['a1', 'b1', 'b2', 'c1'], [{ id: 'f', hits: ['c1'] }, { id: 'g', hits: [] }]).size).toBe(0);
    expect(layoutSilences(layoutOf, ['a1', 'a2'], [{ id: 'f', hits: ['a1'] }, { id: 'g' }])).toEqual(new Map([['g', ['L1']]]));
  });
});

describe('apply with per-layout silences', () => {
  let root: string;
  let corpus: Corpus;
  const sample: CorpusDocument[] = [];
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'evaporate-silence-'));
    await mkdir(join(root, 'shop'));
    await mkdir(join(root, 'catalog'));
    for (let i = 0; i < 6; i++) {
      await writeFile(join(root, 'shop', `p${i}.html`), `<html><body><div class="product"><h1>Item ${i}</h1><p class="price">$${i}.99</p><ul class="nav"><li>Home</li><li>Sale</li></ul></div></body></html>`);
      await writeFile(join(root, 'catalog', `p${i}.html`), `<html><body><table class="listing"><tr><td class="label">Name</td><td class="value">Entry ${i}</td></tr><tr><td class="label">Code</td><td class="value">C-${i}</td></tr></table><footer>Catalog (c)</footer></body></html>`);
    }
    corpus = await openCorpus(root);
    for await (const doc of corpus.views()) if (doc.id === 'shop/p0.html' || doc.id === 'catalog/p0.html') sample.push(doc);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  /** `broad` reads a heading or the first value cell plus the next one (over-capture on the catalog); `narrow` the catalog only. */
  const program = (silentOn?: string[]): Program => ({
    method: 'ws',
    now: 0,
    sampleLayouts: sample.map((doc) => ({ doc: doc.id, signature: encodeSignature(layoutSignature(doc)), layout: doc.id.startsWith('shop') ? 'L1' : 'L2' })),
    attributes: [
      {
        name: 'name',
        abstainOnEmpty: true,
        functions: [
          {
            id: 'broad',
            source: `function extract(doc, $) { const h = $('h1').text(); return h || $('td.value').map((i, e) => $(e).text()).get().join(' ') }`,
            accuracy: 0.9,
            ...(silentOn ? { silentOn } : {}),
          },
          { id: 'narrow', source: `function extract(doc, $) { return $('td.value').first().text() || null }`, accuracy: 0.6 },
        ],
      },
    ],
  });

  async function names(p: Program): Promise<Record<string, string | null>> {
    const rows: ResultRow[] = [];
    await applyProgram(p, corpus, (row) => void rows.push(row), { isolates: 1 });
    return Object.fromEntries(rows.map((row) => [row.doc, (row.cells.name?.value ?? null)?.join(' ') ?? null]));
  }

  it('lets the function right on a layout decide there, and only there', async () => {
    const silenced = await names(program(['L2']));
    expect(silenced['catalog/p3.html']).toBe('Entry 3');
    expect(silenced['shop/p3.html']).toBe('Item 3');
    // Without the silence the over-capturing function, with the higher accuracy, wins on the catalog.
    const trusted = await names(program());
    expect(trusted['catalog/p3.html']).toBe('Entry 3 C-3');
    expect(trusted['shop/p3.html']).toBe('Item 3');
  });
});
